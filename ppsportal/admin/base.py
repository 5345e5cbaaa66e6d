"""The admin's plumbing: access for NCTV staff only, and writes that go through the services.

A ``ServiceAdmin`` saves with its ``write()``, which calls the services, never ``Model.save()``.
Its form validates by running the same ``write()`` in a savepoint that is always rolled back
(``ppsportal.transactions.dry_run``; the admin opens no transaction of its own), so
the admin refuses exactly what the services refuse, with their messages, and holds no rule of
its own. Inlines do the same through ``ServiceFormSet``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet, InlineForeignKeyField
from django.http import HttpResponseRedirect

from ppsportal.actors import actor_for
from ppsportal.transactions import dry_run


def is_staff_request(request) -> bool:
    return request.user.is_superuser or actor_for(request.user).is_nctv_staff


class StaffAdmin(admin.ModelAdmin):
    """The admin is NCTV staff's face: NCTV staff may use every portal model admin."""

    # A filtered changelist says "N results" without a second count over the whole table.
    show_full_result_count = False

    def _staff(self, request) -> bool:
        return is_staff_request(request)

    def has_module_permission(self, request):
        return self._staff(request)

    def has_view_permission(self, request, obj=None):
        return self._staff(request)

    def has_add_permission(self, request):
        return self._staff(request)

    def has_change_permission(self, request, obj=None):
        return self._staff(request)

    def has_delete_permission(self, request, obj=None):
        return self._staff(request)


class StaffInlineMixin:
    """Inlines follow the same rule as ``StaffAdmin`` (not Django's model permissions)."""

    def has_view_permission(self, request, obj=None):
        return is_staff_request(request)

    def has_add_permission(self, request, obj=None):
        return is_staff_request(request)

    def has_change_permission(self, request, obj=None):
        return is_staff_request(request)

    def has_delete_permission(self, request, obj=None):
        return is_staff_request(request)


# The admin's refusals, each decided here once; an admin or inline names the ones it needs (before
# its base admin, so they win). For model admins and inlines alike, superusers included.


class NoAddMixin:
    """Nobody adds a row here: they come from elsewhere (the dashboard, the API, a service)."""

    def has_add_permission(self, request, obj=None):
        return False


class NoChangeMixin:
    """A saved row is never changed here: it is on record, or changes through its own steps."""

    def has_change_permission(self, request, obj=None):
        return False


class NoDeleteMixin:
    """Nobody deletes a row here: others refer to it, or it is on record."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin(NoAddMixin, NoChangeMixin, NoDeleteMixin):
    """Rows staff only read: nobody adds, changes or deletes them here (the services, the
    delivery engine or the audit writer do)."""


class ReadOnlyInlineMixin(ReadOnlyMixin, StaffInlineMixin):
    """Rows shown for reference, each with a link to its own admin page."""

    extra = 0
    show_change_link = True


# --- Dry runs (``ppsportal.transactions.dry_run``: the savepoint that is always rolled back) ---


def add_refusal(form, exc: ValidationError) -> None:
    """Put a service's refusal on a form: on the field it names where the form has that field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def fresh(obj):
    """A copy of ``obj`` from the database, so that a dry run never touches the form's object."""
    return type(obj)._default_manager.get(pk=obj.pk)


def adopt(obj, saved) -> None:
    """Make the admin's unsaved ``obj`` the row a service created, for the rest of the view."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class ServiceAdmin(StaffAdmin):
    """Saves through ``write()``; the form validates by dry-running the same ``write()``."""

    def write(self, request, obj, data: dict, changed: list[str]):
        """Create (``obj`` is None) or change ``obj`` through the services; return the object.

        ``data`` is the form's cleaned data and ``changed`` the names of the changed fields."""
        raise NotImplementedError

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        def clean(form):
            cleaned = base.clean(form)
            if not form.errors:
                target = fresh(obj) if obj is not None else None
                refusal = dry_run(
                    lambda: model_admin.write(request, target, cleaned, form.changed_data)
                )
                if refusal is not None:
                    add_refusal(form, refusal)
            return cleaned

        return type(base.__name__, (base,), {"clean": clean})

    def save_model(self, request, obj, form, change):
        saved = self.write(request, obj if change else None, form.cleaned_data, form.changed_data)
        if not change:
            adopt(obj, saved)

    def save_related(self, request, form, formsets, change):
        # No form.save_m2m(): many-to-many fields are written by the services in write().
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            # A refusal only saving could find (one inline depending on another). The view's
            # transaction rolled everything back: nothing is half-saved.
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ServiceFormSet(BaseInlineFormSet):
    """Inline rows written through the services.

    Subclasses implement ``write_row`` (one changed row) and may implement ``write_all`` (the
    rows as a whole, such as an allocation key) and ``check_unsaved`` (what can be checked
    before the parent exists, on an add page). ``clean()`` dry-runs each row, then all of them
    together, exactly as saving will run them."""

    # Delete a removed row itself; False where ``write_all`` replaces the rows as a whole.
    delete_rows = True

    def write_row(self, form, parent):
        """Write one new or changed row; return ``("new", obj)``, ``("changed", obj, fields)``
        or ``None`` when there was nothing to write."""
        raise NotImplementedError

    def write_all(self, parent, rows: list[dict]) -> None:
        """Write the rows as a whole; ``rows`` are the cleaned data of the rows that are kept."""

    def check_unsaved(self, form, parent) -> None:
        """On an add page the parent is not saved yet: checks that need no saved parent."""

    # --- helpers --------------------------------------------------------------------------

    def deleting(self, form) -> bool:
        return self.can_delete and self._should_delete_form(form)

    def changed_forms(self):
        return [form for form in self.forms if form.has_changed()]

    def kept_rows(self) -> list[dict]:
        """The cleaned data of every row that stays: saved rows not deleted, and new rows."""
        return [f.cleaned_data for f in self.forms if f.cleaned_data and not self.deleting(f)]

    def write(self, parent) -> None:
        """Write every changed row, then the rows as a whole; record what changed for the
        admin's history (``new_objects``, ``changed_objects``, ``deleted_objects``)."""
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        for form in self.changed_forms():
            if self.deleting(form):
                if form.instance.pk is not None:
                    obj = fresh(form.instance)
                    if self.delete_rows:
                        obj.delete()
                    self.deleted_objects.append(obj)
                continue
            outcome = self.write_row(form, parent)
            if outcome is None:
                continue
            if outcome[0] == "new":
                self.new_objects.append(outcome[1])
            else:
                self.changed_objects.append((outcome[1], outcome[2]))
        if self.has_changed():
            self.write_all(parent, self.kept_rows())

    # --- Django hooks ---------------------------------------------------------------------

    def clean(self):
        super().clean()
        if any(self.errors) or not self.has_changed():
            return
        parent = self.instance
        if parent.pk is None:
            for form in self.changed_forms():
                if not self.deleting(form):
                    try:
                        self.check_unsaved(form, parent)
                    except ValidationError as exc:
                        add_refusal(form, exc)
            return
        for form in self.changed_forms():
            if self.deleting(form):
                continue
            refusal = dry_run(lambda form=form: self.write_row(form, fresh(parent)))
            if refusal is not None:
                add_refusal(form, refusal)
        if any(self.errors):
            return
        refusal = dry_run(lambda: self.write(fresh(parent)))
        if refusal is not None:
            raise forms.ValidationError(refusal.messages)

    def save(self, commit=True):
        self.write(self.instance)
        return self.new_objects


class ServiceInline(StaffInlineMixin, admin.TabularInline):
    """An inline whose formset writes through the services (see ``ServiceFormSet``)."""

    extra = 0


class LockedWhenSavedForm(forms.ModelForm):
    """A row form whose ``locked`` fields can be filled in on a new row only; ``lock_once_set``
    fields become read-only once they have a value (the services have no way to change them)."""

    locked: tuple[str, ...] = ()
    lock_once_set: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        for name, field in self.fields.items():
            if isinstance(field, InlineForeignKeyField):
                continue
            if name in self.locked or (
                name in self.lock_once_set and getattr(self.instance, name) is not None
            ):
                field.disabled = True
