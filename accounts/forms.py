from allauth.account import forms as allauth_forms
from django import forms
from django.contrib.auth import password_validation
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from reference.models import KOMMUNER, Municipality


class InviteForm(forms.Form):
    """An invitation to answer for one member of a register: the municipalities unless
    `register` (a Register) says otherwise (the page links to each register's form). The field
    keeps its name `municipality` whatever the register; its value is the member's code."""

    email = forms.EmailField(label=_("E-mail"), max_length=254)
    name = forms.CharField(label=_("Navn"), max_length=200, required=False)
    municipality = forms.ModelChoiceField(
        label=_("Kommune"),
        queryset=Municipality.objects.municipalities(),
        to_field_name="code",
        empty_label=_("Vælg kommune"),
    )
    register = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, register=None, **kwargs):
        super().__init__(*args, **kwargs)
        if register is not None and register.key != KOMMUNER:
            field = self.fields["municipality"]
            field.queryset = Municipality.objects.of_register(register.key).order_by("name")
            field.label = _("Organisation (%(register)s)") % {"register": register.display_name}
            field.empty_label = _("Vælg organisation")
            self.fields["register"].initial = register.key


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(label=_("Adgangskode"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(
        label=_("Gentag adgangskode"), widget=forms.PasswordInput, strip=False
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("De to adgangskoder er ikke ens."))
        if p1:
            try:
                password_validation.validate_password(p1, self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class RequestLoginCodeForm(allauth_forms.RequestLoginCodeForm):
    """allauth's "send me a login code" form, also reached from the login page: its "Send mig
    en login-kode" button submits the login form here, so the address typed there arrives as
    `login` and the code is sent at once. Nothing typed yet: the empty request form, no error."""

    def __init__(self, *args, **kwargs):
        data = kwargs.get("data")
        if data is not None and "email" not in data:
            typed = (data.get("login") or "").strip()
            if typed:
                kwargs["data"] = QueryDict(mutable=True)
                kwargs["data"]["email"] = typed
            else:
                kwargs["data"] = kwargs["files"] = None
        super().__init__(*args, **kwargs)
