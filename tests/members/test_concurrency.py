"""Two coordinators acting on the same request at once: exactly one wins, once."""

import threading

import pytest
from django.db import connection

from members.models import AuditEvent, Membership
from members.services import membership_approve, membership_decline
from tests.factories import NetworkFactory, member, pending
from timebank.errors import InvalidTransition


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_approve_and_decline_leave_one_decision_and_one_audit_event():
    network = NetworkFactory()
    coordinators = [member(network, role=Membership.Role.COORDINATOR).user for _ in range(2)]
    waiting = pending(network)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(service, coordinator):
        try:
            barrier.wait()
            service(membership=waiting, actor=coordinator)
            outcomes.append("done")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(membership_approve, coordinators[0])),
        threading.Thread(target=act, args=(membership_decline, coordinators[1])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["done", "refused"]
    waiting.refresh_from_db()
    assert waiting.status in ("active", "declined")
    decisions = AuditEvent.objects.filter(action__in=["membership.approve", "membership.decline"], target_id=waiting.pk)
    assert decisions.count() == 1
    assert decisions.get().action == {"active": "membership.approve", "declined": "membership.decline"}[waiting.status]
