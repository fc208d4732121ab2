from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: people are invited by a coordinator (or added by an operator)."""

    def is_open_for_signup(self, request):
        return False
