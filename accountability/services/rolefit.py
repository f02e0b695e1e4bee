"""Moving a person between the producer and non-producer roles (principle 3: the right person
in the right role). Every row of their history stays; `selling_producers` leaves
non-producers off the production board and out of meeting turns."""

from django.core.exceptions import ValidationError
from django.db import transaction

from salesculture.models import Producer
from salesculture.services import producer_set_role


@transaction.atomic
def role_fit_set_role(*, actor: Producer, producer: Producer, role: str) -> Producer:
    if not actor.is_leader or producer.agency_id != actor.agency_id:
        raise ValidationError("Only a leader or owner of the agency can change roles.")
    if producer.pk == actor.pk:
        raise ValidationError({"role": "You cannot change your own role here; ask an owner."})
    allowed = {Producer.Role.PRODUCER, Producer.Role.NON_PRODUCER}
    if actor.is_owner:
        allowed.add(Producer.Role.LEADER)
    if role not in allowed:
        raise ValidationError({"role": "Choose one of the listed roles."})
    if producer.role == Producer.Role.OWNER:
        raise ValidationError({"role": "An owner's role is changed in the admin."})
    if producer.role == Producer.Role.LEADER and not actor.is_owner:
        raise ValidationError({"role": "Only an owner can change a leader's role."})
    return producer_set_role(producer=producer, role=role)
