import pytest
from django.db import connection

from grants.models import ApplicationState, StaffRole
from tests.factories import ApplicantFactory, ApplicationFactory, SchemeFactory, make_staff
from workflows import services


@pytest.mark.django_db
def test_flow(django_capture_on_commit_callbacks, org_x):
    scheme = SchemeFactory(organisation=org_x)
    applicant = ApplicantFactory()
    app = ApplicationFactory(scheme=scheme, company=applicant.test_company, created_by=applicant)
    officer = make_staff(org_x)
    manager = make_staff(org_x, role=StaffRole.MANAGER)
    app = services.application_submit(application_id=app.pk, actor=applicant)
    assert app.state == ApplicationState.SUBMITTED and app.reference == f"ALP-{app.submitted_at.year}-00001"
    services.application_start_review(application_id=app.pk, actor=officer)
    services.application_propose(application_id=app.pk, actor=officer, outcome="award", amount=app.requested_amount, motivation="ok")
    app = services.application_approve(application_id=app.pk, actor=manager)
    assert app.state == ApplicationState.AWARDED
    scheme.budget.refresh_from_db()
    assert scheme.budget.committed == app.requested_amount and scheme.budget.reserved == 0
