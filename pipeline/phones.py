"""A phone number as its digits, so that search finds "(555) 123-4567" by "5551234" however
the number was typed or imported."""

from django.db import models


def phone_digits(text: str | None) -> str:
    return "".join(ch for ch in (text or "") if ch.isascii() and ch.isdigit())


class PhoneDigitsField(models.CharField):
    """The digits of the model's `source` field, recomputed on every save and bulk_create (both
    call `pre_save`), so no write path can leave it stale. A queryset `.update()` of the phone
    names this field too (the import's update path does)."""

    def __init__(self, *args, source: str = "phone", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = phone_digits(getattr(model_instance, self.source))[: self.max_length]
        setattr(model_instance, self.attname, value)
        return value
