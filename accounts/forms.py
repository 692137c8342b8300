from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginForm(AuthenticationForm):
    """Django's login form, with the user name's length checked before anyone is looked up.

    AuthenticationForm sets the field's max_length after the field is built, so no validator
    checks it: a 10,000-character name reached authenticate(), and the failed-login log (a
    255-character column) refused it with a server error.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
