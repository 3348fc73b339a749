"""Draws (DOMAIN 9a): the hash of a secret seed is published with the participants before the draw; the
seed is revealed after it, and anyone can re-run the draw from it (the public page and verify_draw)."""

import datetime
import hashlib
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from grants import draws
from grants.models import DrawState, StaffRole
from grants.ranking import scheme_ranking
from tests.factories import ApplicationFactory, CriterionFactory, SchemeFactory, ScoreFactory, make_staff
from workflows.exceptions import TransitionRefused
from workflows.models import TransitionLog
from workflows.services import draw_perform, draw_publish


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def manager(org_x):
    return make_staff(org_x, StaffRole.MANAGER)


@pytest.fixture
def tied(org_x):
    """A closed ranking scheme with three applications on the same score."""
    today = timezone.localdate()
    scheme = SchemeFactory(organisation=org_x, distribution="ranking", ceiling=Decimal("3000.00"),
                           opens_on=today - datetime.timedelta(days=60), closes_on=today - datetime.timedelta(days=1))
    criterion = CriterionFactory(scheme=scheme)
    applications = [ApplicationFactory(scheme=scheme, in_review=True) for _ in range(3)]
    for application in applications:
        ScoreFactory(application=application, criterion=criterion, score=4)
    return scheme, applications


def test_the_order_is_the_references_sorted_by_sha256_of_seed_colon_reference():
    seed, references = "abc123", ["ALP-2026-00002", "ALP-2026-00001", "ALP-2026-00003"]
    expected = sorted(references, key=lambda r: hashlib.sha256(f"abc123:{r}".encode()).hexdigest())
    assert draws.draw_order(seed, references) == expected
    assert draws.seed_hash(seed) == hashlib.sha256(b"abc123").hexdigest()


def test_another_seed_gives_another_order_for_enough_participants():
    references = [f"ALP-2026-{n:05d}" for n in range(20)]
    assert draws.draw_order("seed-one", references) != draws.draw_order("seed-two", references)


@pytest.mark.django_db
def test_a_performed_draw_is_reproducible_from_its_revealed_seed_and_matches_the_published_hash(tied, manager):
    scheme, applications = tied
    published = draw_publish(scheme_id=scheme.pk, purpose="tie_break", actor=manager)
    published_hash, participants = published.seed_hash, list(published.participants)
    assert participants == sorted(a.reference for a in applications)
    performed = draw_perform(draw_id=published.pk, actor=manager)
    seed = performed.revealed_seed
    assert hashlib.sha256(seed.encode()).hexdigest() == published_hash
    assert sorted(participants, key=lambda r: hashlib.sha256(f"{seed}:{r}".encode()).hexdigest()) == performed.result
    assert list(TransitionLog.objects.filter(object_id=performed.pk).values_list("transition", flat=True)) == [
        "publish", "perform"]


@pytest.mark.django_db
def test_the_seed_is_never_shown_before_the_draw(client, tied, manager):
    scheme, _applications = tied
    draw = draw_publish(scheme_id=scheme.pk, purpose="tie_break", actor=manager)
    assert draw.revealed_seed == ""
    page = client.get(reverse("draw_detail", args=[draw.pk])).content.decode()
    assert draw.seed_hash in page and draw.seed not in page
    for reference in draw.participants:
        assert reference in page
    manager_page = client.get(reverse("scheme_ranking", args=[scheme.pk]))  # anonymous: to the login page
    assert manager_page.status_code == 302
    client.force_login(manager)
    assert draw.seed not in client.get(reverse("scheme_ranking", args=[scheme.pk])).content.decode()


@pytest.mark.django_db
def test_the_public_page_reveals_the_seed_and_result_after_the_draw_without_personal_data(client, tied, manager):
    scheme, applications = tied
    draw = draw_perform(draw_id=draw_publish(scheme_id=scheme.pk, purpose="tie_break", actor=manager).pk,
                        actor=manager)
    page = client.get(reverse("draw_detail", args=[draw.pk])).content.decode()
    assert draw.seed in page
    assert all(a.company.name not in page and a.title not in page for a in applications)


@pytest.mark.django_db
def test_the_public_check_confirms_the_revealed_seed_and_rejects_another(client, tied, manager, settings):
    scheme, _applications = tied
    draw = draw_perform(draw_id=draw_publish(scheme_id=scheme.pk, purpose="tie_break", actor=manager).pk,
                        actor=manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    good = client.get(reverse("draw_detail", args=[draw.pk]), {"seed": draw.seed})
    assert good.context["check"]["hash_matches"] and good.context["check"]["order_matches"]
    assert "matches the published hash" in good.content.decode()
    bad = client.get(reverse("draw_detail", args=[draw.pk]), {"seed": "guessed"})
    assert not bad.context["check"]["hash_matches"]


@pytest.mark.django_db
def test_verify_draw_command_re_runs_the_draw(tied, manager):
    scheme, _applications = tied
    draw = draw_publish(scheme_id=scheme.pk, purpose="tie_break", actor=manager)
    with pytest.raises(CommandError, match="not been performed"):
        call_command("verify_draw", draw.pk)
    draw = draw_perform(draw_id=draw.pk, actor=manager)
    out = StringIO()
    call_command("verify_draw", draw.pk, draw.seed, stdout=out)
    assert "hash matches" in out.getvalue() and f"1. {draw.result[0]}" in out.getvalue()
    with pytest.raises(CommandError, match="Verification failed"):
        call_command("verify_draw", draw.pk, "another-seed", stdout=StringIO())


@pytest.mark.django_db
def test_only_a_manager_performs_a_draw_and_only_once(tied, manager, org_x):
    scheme, _applications = tied
    draw = draw_publish(scheme_id=scheme.pk, purpose="tie_break", actor=manager)
    with pytest.raises(TransitionRefused, match="not allowed"):
        draw_perform(draw_id=draw.pk, actor=make_staff(org_x))
    draw_perform(draw_id=draw.pk, actor=manager)
    with pytest.raises(TransitionRefused, match="not possible while"):
        draw_perform(draw_id=draw.pk, actor=manager)
    draw.refresh_from_db()
    assert draw.state == DrawState.PERFORMED


@pytest.mark.django_db
def test_a_second_draw_waits_until_the_published_one_is_performed(tied, manager):
    scheme, _applications = tied
    draw_publish(scheme_id=scheme.pk, purpose="tie_break", actor=manager)
    with pytest.raises(TransitionRefused, match="not been performed yet"):
        draw_publish(scheme_id=scheme.pk, purpose="tie_break", actor=manager)


@pytest.mark.django_db
def test_officers_cannot_publish_a_draw_and_nothing_to_draw_is_refused(tied, manager, org_x):
    scheme, _applications = tied
    with pytest.raises(TransitionRefused, match="manager"):
        draw_publish(scheme_id=scheme.pk, purpose="tie_break", actor=make_staff(org_x))
    with pytest.raises(TransitionRefused, match="nothing to draw"):
        draw_publish(scheme_id=scheme.pk, purpose="lottery", actor=manager)


@pytest.mark.django_db
def test_publish_and_perform_through_the_pages(client, tied, manager):
    scheme, _applications = tied
    client.force_login(manager)
    client.post(reverse("draw_publish", args=[scheme.pk]), {"purpose": "tie_break"})
    draw = scheme.draws.get()
    response = client.post(reverse("draw_perform", args=[draw.pk]))
    assert response.status_code == 302 and response.url == reverse("scheme_ranking", args=[scheme.pk])
    draw.refresh_from_db()
    assert draw.state == DrawState.PERFORMED and sorted(draw.result) == draw.participants


@pytest.mark.django_db
def test_a_settled_tie_cannot_be_drawn_again_and_a_later_tie_keeps_the_earlier_order(tied, manager):
    scheme, applications = tied
    first = draw_perform(draw_id=draw_publish(scheme_id=scheme.pk, purpose="tie_break", actor=manager).pk,
                         actor=manager)
    with pytest.raises(TransitionRefused, match="nothing to draw"):
        draw_publish(scheme_id=scheme.pk, purpose="tie_break", actor=manager)
    criterion = scheme.criteria.get()
    later = [ApplicationFactory(scheme=scheme, in_review=True) for _ in range(2)]
    for application in later:
        ScoreFactory(application=application, criterion=criterion, score=1)
    second = draw_perform(draw_id=draw_publish(scheme_id=scheme.pk, purpose="tie_break", actor=manager).pk,
                         actor=manager)
    assert second.participants == sorted(a.reference for a in later)
    assert [row["application"].reference for row in scheme_ranking(scheme).rows] == first.result + second.result
