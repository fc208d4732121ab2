def test_the_login_page_is_danish_and_uses_dkfds(client, db):
    response = client.get("/konto/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="da">' in body
    assert "dkfds/css/dkfds.min.css" in body
