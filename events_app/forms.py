"""FlaskForm classes for the staff area (the event form: event_form.py); shared validators."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from . import timefmt
from .markup import is_web_address
from .models import ROLES, Category, User, Venue
from .security import NUL, NUL_REFUSED
from .text import as_name, has_visible, name_key, slugify

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# No spaces, no control characters: an address typed with one could never be typed to sign in.
EMAIL_RE = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")


@dataclass(frozen=True)
class FieldError:
    target: str  # the id of the element to move to (a choice's first box)
    label: str
    message: str


def field_errors(form: Form) -> list[FieldError]:
    """Each field's first error, in the form's order (a group's fields too): the summary
    above a long form, each leading to its field."""
    found = []
    for f in form:
        if isinstance(f, FormField):
            found.extend(field_errors(f.form))
        elif f.errors and isinstance(f.errors, list | tuple):
            choices_ = f.type in ("RadioField", "MultiCheckboxField")
            target = f"{f.id}-0" if choices_ else f.id
            found.append(FieldError(target, f.label.text, str(f.errors[0])))
    return found


class PageForm(FlaskForm):
    """A form with a page of its own (the address that shows it takes it): a NUL character
    sent in a field is refused beside that field, shown as U+FFFD and never passed on, so the
    form comes back with everything typed. (security.check_request_limits refuses NUL in any
    other request.)"""

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs) -> None:
        super().process(formdata, obj, data, extra_filters, **kwargs)
        refuse_nul(self)


def refuse_nul(form: Form) -> None:
    for f in form:
        if isinstance(f, FormField):
            refuse_nul(f.form)
        elif any(isinstance(value, str) and NUL in value for value in f.raw_data or ()):
            f.raw_data = [shown_nul(value) for value in f.raw_data]
            if isinstance(f.data, list):
                f.data = [shown_nul(value) for value in f.data]
            elif isinstance(f.data, str):  # as typed, with the NUL to see (a filter drops it)
                f.data = f.raw_data[0]
                for keep in f.filters:
                    f.data = keep(f.data)
            f.process_errors.insert(0, NUL_REFUSED)


def shown_nul(value):
    return value.replace(NUL, "\ufffd") if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    """A checkbox per choice (categories, weekdays)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs) -> list[SelectChoice]:
    """SelectField options from (value, label) pairs or a {value: label} dict."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


def max_length(model: type, column: str) -> int:
    """The length of a String column, so form limits always match the schema."""
    return model.__table__.c[column].type.length


def limit(model: type, column: str):
    """A validator: at most as many characters as the column holds (its box's maxlength)."""
    most = max_length(model, column)
    check = text_length(most)
    check.field_flags = {"maxlength": most}
    return check


def text_length(most: int):
    """A validator: at most ``most`` characters of text, a line break counted as one character
    (browsers send a text box's as CRLF; an import's are LF); the message says how many."""

    def check(form, field) -> None:
        if not isinstance(field.data, str):
            return
        count = len(field.data.replace("\r\n", "\n"))
        if count > most:
            raise ValidationError(f"Keep this to {most:,} characters or fewer: it has {count:,}.")

    return check


def strip(value):
    """A field filter: surrounding spaces never count."""
    return value.strip() if isinstance(value, str) else value


# Filters of a one-line name (a title, a venue's or category's name): single spaces, no direction
# overrides (text.as_name, which imports use too).
NAME_FILTERS = (as_name,)


def visible(form: Form, field) -> None:
    """A name shows something: not only invisible characters (a zero-width space)."""
    if field.data and not has_visible(field.data):
        raise ValidationError("Enter a name people can see: letters, digits or signs.")


class CoordinateField(FloatField):
    """A latitude or longitude: a decimal number as people write one ("-104.99"); anything
    else, Python's "1_0", "nan" or other scripts' digits included, gets one plain message."""

    NUMBER = re.compile(r"\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*")

    def process_formdata(self, valuelist) -> None:
        if valuelist and valuelist[0].strip() and not self.NUMBER.fullmatch(valuelist[0]):
            self.data = None
            raise ValueError("Enter a number, like 39.8367.")
        super().process_formdata(valuelist)


def between(low: float, high: float):
    """A coordinate's range (empty, or a number already refused, is left to other checks)."""

    def check(form: Form, field) -> None:
        if field.data is not None and not low <= field.data <= high:
            raise ValidationError(f"Between {low:g} and {high:g}.")

    return check


def http_url(form: Form, field) -> None:
    """Empty, or an absolute http(s) address."""
    value = (field.data or "").strip()
    field.data = value
    if not value:
        return
    if not is_web_address(value):
        raise ValidationError("Enter a full web address starting with http:// or https://.")


def iana_zone(form: Form, field) -> None:
    """Empty (checked elsewhere when required), or a zone name tzdata knows; not a name that is
    one offset all year (timefmt.fixed_offset_advice) unless the record already has it."""
    value = (field.data or "").strip()
    field.data = value
    if value and not timefmt.is_valid_zone(value):
        raise ValidationError(
            f'"{value[:64]}" is not a time zone we know. Choose one from the list, '
            'such as "America/New_York" or "Europe/London".'
        )
    # A zone the record already has stays saveable (an import keeps what its file says).
    if value and value != field.object_data and (advice := timefmt.fixed_offset_advice(value)):
        raise ValidationError(advice)


def slug_format(form: Form, field) -> None:
    value = (field.data or "").strip().lower()
    if value and not SLUG_RE.match(value):  # shown back as typed
        raise ValidationError("Use lowercase letters, digits and single hyphens (e.g. 5g-summit).")
    field.data = value


class LoginForm(PageForm):
    email = StringField("Email", validators=[DataRequired("Enter your email."), Length(max=254)])
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=1000)]
    )
    submit = SubmitField("Sign in")


def new_password_fields(label: str = "New password") -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            label,
            validators=[
                DataRequired("Enter a password."),
                Length(
                    min=MIN_PASSWORD_LENGTH,
                    message=f"Use at least {MIN_PASSWORD_LENGTH} characters.",
                ),
                Length(
                    max=MAX_PASSWORD_LENGTH,
                    message=f"Use at most {MAX_PASSWORD_LENGTH} characters.",
                ),
            ],
        ),
        PasswordField(
            "Repeat the password",
            validators=[EqualTo("new_password", "The two passwords are not the same.")],
        ),
    )


class ChangePasswordForm(PageForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password.")]
    )
    new_password, confirm = new_password_fields()
    submit = SubmitField("Change password")


class ResetPasswordForm(PageForm):
    new_password, confirm = new_password_fields()
    submit = SubmitField("Set password")


class UserForm(PageForm):
    """Edit a staff account's name, role and active flag."""

    display_name = StringField(
        "Display name",
        filters=NAME_FILTERS,
        validators=[DataRequired("Enter a name."), limit(User, "display_name"), visible],
    )
    role = SelectField("Role", choices=choices(ROLES))
    active = BooleanField("Active (may sign in)")
    original = HiddenField()  # the account as the edit form showed it (merge.py)
    submit = SubmitField("Save")


class NewUserForm(UserForm):
    email = EmailField("Email", validators=[DataRequired("Enter an email."), limit(User, "email")])
    new_password, confirm = new_password_fields("Password")
    submit = SubmitField("Create account")

    def validate_email(self, field) -> None:
        from sqlalchemy import select

        from .extensions import db

        field.data = (field.data or "").strip().lower()
        if not EMAIL_RE.match(field.data):
            raise ValidationError("Enter an email address like name@example.com.")
        if db.session.scalar(select(User.id).where(User.email == field.data)):
            raise ValidationError("A staff account with this email already exists.")


def venue_slug(
    session, name: str, venue_id: int | None = None, also_taken: Iterable[str] = ()
) -> str:
    """The address a venue's name makes ('westin-westminster', then '-2'...), unused by any
    other venue (``venue_id``: the one being edited) and not in ``also_taken``."""
    from .event_form import unique_slug  # it imports this module

    base = slugify(name or "", max_length(Venue, "slug"), fallback="venue")
    return unique_slug(session, base, venue_id, model=Venue, also_taken=also_taken)


class VenueFields(Form):
    """A venue's fields: the venue form, and the event form's inline "new venue"."""

    venue_id: int | None = None  # the venue being edited, which may keep its own name

    def validate_name(self, field) -> None:
        """Two venues of one name in one city cannot be told apart in the event form's list."""
        from sqlalchemy import select

        from .extensions import db

        name, city = (field.data or "").strip(), (self.city.data or "").strip()
        if not name:
            return
        key = (name_key(name), name_key(city))
        others = select(Venue.name, Venue.city)
        if self.venue_id is not None:
            others = others.where(Venue.id != self.venue_id)
        if any((name_key(n), name_key(c or "")) == key for n, c in db.session.execute(others)):
            where = f" in {city}" if city else " without a city"
            raise ValidationError(f"A venue of this name{where} already exists: use that one.")

    name = StringField(
        "Venue name", filters=NAME_FILTERS, validators=[Optional(), limit(Venue, "name"), visible]
    )
    address = StringField("Street address", validators=[limit(Venue, "address")])
    city = StringField("City", validators=[limit(Venue, "city")])
    region = StringField("State / region", validators=[limit(Venue, "region")])
    postal_code = StringField("Postal code", validators=[limit(Venue, "postal_code")])
    country = StringField("Country", validators=[limit(Venue, "country")])
    timezone = StringField(
        "Time zone",
        description="The IANA zone of the venue's city, e.g. America/Denver.",
        validators=[iana_zone],
    )


class VenueForm(PageForm, VenueFields):
    name = StringField(
        "Name",
        filters=NAME_FILTERS,
        validators=[DataRequired("Enter a name."), limit(Venue, "name"), visible],
    )
    timezone = StringField(
        "Time zone",
        description="The IANA zone of the venue's city, e.g. America/Denver.",
        validators=[DataRequired("A venue needs a time zone."), iana_zone],
    )
    latitude = CoordinateField("Latitude", validators=[Optional(), between(-90, 90)])
    longitude = CoordinateField("Longitude", validators=[Optional(), between(-180, 180)])
    website = StringField("Website", validators=[limit(Venue, "website"), http_url])
    slug = StringField(
        "Address (slug)",
        description="Its page's address, /venues/<slug>; made from the name when left empty."
        " A changed address leads to the new one.",
        validators=[limit(Venue, "slug"), slug_format],
    )
    original = HiddenField()  # the venue as the edit form showed it (merge.py)
    submit = SubmitField("Save venue")

    def validate_slug(self, field) -> None:
        from sqlalchemy import select

        from .extensions import db

        if not field.data:
            if self.name.data and not self.name.errors:
                field.data = venue_slug(db.session, self.name.data, self.venue_id)
            return
        others = select(Venue.id).where(Venue.slug == field.data)
        if self.venue_id is not None:
            others = others.where(Venue.id != self.venue_id)
        if db.session.scalar(others):
            raise ValidationError("Another venue already uses this address; choose another slug.")


class CategoryForm(PageForm):
    name = StringField(
        "Name",
        filters=NAME_FILTERS,
        validators=[InputRequired("Enter a name."), limit(Category, "name"), visible],
    )
    slug = StringField(
        "Slug",
        description="Used in addresses and feed names; made from the name when left empty."
        " A changed slug leads to the new one: links and subscriptions keep working.",
        validators=[limit(Category, "slug"), slug_format],
    )
    original = HiddenField()  # the category as the edit form showed it (merge.py)
    submit = SubmitField("Save category")

    def __init__(self, *args, category_id: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.category_id = category_id

    def made_slug(self) -> str:
        """The slug made from the name; a name without a Latin letter or digit (Arabic, Chinese,
        emoji) makes none, and gets the first free of "category", "category-2", ..."""
        made = slugify(self.name.data or "", max_length(Category, "slug"))
        if made:
            return made
        from .event_form import unique_slug  # it imports this module
        from .extensions import db

        return unique_slug(db.session, "category", self.category_id, model=Category)

    def validate_name(self, field) -> None:
        if not field.data:  # spaces only: NAME_FILTERS left nothing
            raise ValidationError("Enter a name.")
        self._unique(Category.name, field.data, "A category with this name already exists.")
        if not (self.slug.data or "").strip():  # the slug is made from the name: say it here
            slug = self.made_slug()
            message = (
                f"Another category has the address this name makes ({slug}): change the name,"
                " or enter another slug below."
            )
            self._unique(Category.slug, slug, message)

    def validate_slug(self, field) -> None:
        if not field.data:
            if self.name.errors:
                return  # no slug is made from a name that was refused; the box stays empty
            field.data = self.made_slug()
        self._unique(Category.slug, field.data, "A category with this slug already exists.")

    def _unique(self, column, value: str, message: str) -> None:
        from sqlalchemy import func, or_, select

        from .extensions import db

        # SQLite's lower() folds ASCII only: compare the exact value too, so 'É' finds 'É'.
        query = select(Category.id).where(or_(column == value, func.lower(column) == value.lower()))
        if self.category_id is not None:
            query = query.where(Category.id != self.category_id)
        if db.session.scalar(query):
            raise ValidationError(message)
