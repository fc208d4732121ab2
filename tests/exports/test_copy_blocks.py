"""exports.pgcopy.crlf: the COPY rows of a block get CRLF row ends; a newline inside a quoted
cell stays as it is (as Python's csv module writes it)."""

from exports.pgcopy import crlf


def rows_one_by_one(rows):
    return b"".join(row[:-1] + b"\r\n" for row in rows)


def test_a_block_whose_only_newlines_are_row_ends():
    rows = [b"101,a,1\n", b"147,b,\n", b'151,"x, y",2\n']
    assert crlf(b"".join(rows), len(rows)) == b'101,a,1\r\n147,b,\r\n151,"x, y",2\r\n'


def test_a_newline_inside_a_quoted_cell_is_kept():
    rows = [
        b'101,"linje 1\nlinje 2; ""citat""",1\n',
        b"147,b,\n",
        b'151,"\n",",""\n""\n"\n',
        b'153,"a\r\nb",x\n',
    ]
    block = b"".join(rows)
    assert crlf(block, len(rows)) == rows_one_by_one(rows)
    assert crlf(block, len(rows)).count(b"\r\n") == 4 + 1  # four row ends, one in the cell


def test_an_empty_block():
    assert crlf(b"", 0) == b""
