"""E-mails about submissions and rounds. Built from templates under templates/email/."""


def send_receipt(submission_id):
    """Receipt to the submitting officer: summary and a PDF copy (see issue 3)."""
    raise NotImplementedError


def send_returned(submission_id):
    raise NotImplementedError


def send_round_invitations(round_id):
    raise NotImplementedError
