"""Report pages: the dashboard with its server-drawn charts, and the wellbeing check-in page."""

from exchanges.reports.models import WellbeingCheckin
from tests.factories import NetworkFactory, member


def test_the_dashboard_draws_the_charts_as_inline_svg(client, story):
    client.force_login(story[1]["C"])
    response = client.get("/reports/harlesden/?from=2026-01&to=2026-03")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hours of help exchanged, month by month" in html and "Who both gave and received help" in html
    assert html.count('role="img"') == 4  # hours and people by month, who did both, kinds of help
    assert html.count("<desc id=") == 4 and html.count("The figures as a table") == 4
    assert "Member A" in html  # coordinators see who may be isolated
    assert "/api/v1/reports/networks/harlesden/export/transfers/" in html


def test_a_commissioner_dashboard_hides_small_cells_and_names(client, story):
    client.force_login(story[1]["K"])
    response = client.get("/reports/harlesden/?from=2026-01&to=2026-03")
    assert response.status_code == 200
    html = response.content.decode()
    assert "hidden" in html and "Member A" not in html
    assert "/export/" not in html


def test_a_part_month_on_the_dashboard_answers_400_with_a_message(client, story):
    client.force_login(story[1]["K"])
    response = client.get("/reports/harlesden/?from=2026-01-04&to=2026-03")
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()


def test_the_dashboard_is_404_outside_the_callers_networks(client, story):
    client.force_login(member(NetworkFactory(slug="elsewhere")).user)
    assert client.get("/reports/harlesden/").status_code == 404
    assert client.get("/reports/funded/").status_code == 403  # funds nothing: a commissioner's page


def test_the_funded_dashboard_shows_the_commissioners_networks(client, story):
    client.force_login(story[1]["K"])
    response = client.get("/reports/funded/?from=2026-01&to=2026-03")
    assert response.status_code == 200
    assert "Networks you fund" in response.content.decode()


def test_a_member_answers_the_check_in_and_sees_their_answers(client, network, alice):
    client.force_login(alice)
    assert client.get("/wellbeing/harlesden/").status_code == 200
    response = client.post(
        "/wellbeing/harlesden/", {"action": "answer", "consent": "yes", "happiness": "7", "isolated": "2"}
    )
    assert response.status_code == 302
    row = WellbeingCheckin.objects.get(user=alice)
    assert (row.happiness, row.isolated, row.consent) == (7, 2, True)
    assert "life satisfaction" in client.get("/wellbeing/harlesden/").content.decode()


def test_the_check_in_page_refuses_answers_without_consent(client, network, alice):
    client.force_login(alice)
    response = client.post("/wellbeing/harlesden/", {"action": "answer", "happiness": "7"})
    assert response.status_code == 400
    assert not WellbeingCheckin.objects.exists()


def test_the_home_page_offers_the_check_in_until_it_is_answered_or_skipped(client, network, alice, bob):
    from members.models import Membership

    prompt = "A short, optional check-in"
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert prompt in html and 'href="/wellbeing/harlesden/"' in html
    client.post("/wellbeing/harlesden/", {"action": "skip"})
    assert prompt not in client.get("/").content.decode()
    client.force_login(bob)
    client.post("/wellbeing/harlesden/", {"action": "answer", "consent": "yes", "happiness": "7"})
    assert prompt not in client.get("/").content.decode()
    commissioner = member(network, role=Membership.Role.COMMISSIONER).user
    client.force_login(commissioner)
    assert prompt not in client.get("/").content.decode()
