"""WCAG 2.2 AA in a real browser (issue 16, item 6): axe-core scans every page, for each role
that may open it, at phone, laptop and TV sizes; no page may have a serious or critical
violation, nor log a console error.

axe-core is vendored as a test asset (tests/e2e/vendor/axe.min.js, MPL-2.0, its LICENSE beside
it); the app never serves it. It is injected as an inline script, which the site's
Content-Security-Policy would refuse, so these contexts bypass the policy (test_csp.py and the
other e2e tests keep it on).

To scan a new page, add one line to PAGES. Its URL may name the ids of `Demo` in braces
("{prospect}" is the role's own open prospect) or be a function of (demo, role). The summary of
violations by page, role, size and impact is written to tests/e2e/screenshots/a11y/.
"""

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.test.utils import override_settings
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.e2e.conftest import DEMO_PASSWORD, SCREENSHOTS

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 768},
         "tv": {"width": 1920, "height": 1080}}
SUMMARY = SCREENSHOTS / "a11y"

PRODUCER, LEADER, OWNER, VISITOR = "producer", "leader", "owner", "visitor"
EVERYONE = (PRODUCER, LEADER, OWNER)
LEADERS = (LEADER, OWNER)
OWNERS = (OWNER,)
NOBODY_LOGGED_IN = (VISITOR,)


@dataclass(frozen=True)
class Page:
    name: str
    url: str | Callable[["Demo", str], str]
    roles: tuple[str, ...]
    status: int = 200  # what the page answers: a closed page says why with a 404


# Every page a person opens (partials, polls, POST-only actions and CSV downloads are not pages).
# The API's docs page is swagger-ui's, not ours, and is left out.
PAGES = [
    # before logging in
    Page("login", "/login/", NOBODY_LOGGED_IN),
    Page("password reset", "/password_reset/", NOBODY_LOGGED_IN),
    Page("password reset sent", "/password_reset/done/", NOBODY_LOGGED_IN),
    Page("password reset confirm", "/reset/{reset_uid}/{reset_token}/", NOBODY_LOGGED_IN),
    Page("password reset complete", "/reset/done/", NOBODY_LOGGED_IN),
    Page("invitation accept", "/invitation/{invitation_token}/", NOBODY_LOGGED_IN),
    Page("first run (closed)", "/setup/", NOBODY_LOGGED_IN, status=404),
    Page("first run", "/setup/{setup_token}/", NOBODY_LOGGED_IN),
    Page("kiosk TV board", "/kiosk/{kiosk_board}/", NOBODY_LOGGED_IN),
    Page("kiosk TV meeting", "/kiosk/{kiosk_meeting}/", NOBODY_LOGGED_IN),
    # a producer's day
    Page("my week", "/week/", EVERYONE),
    Page("why (welcome)", "/welcome/", EVERYONE),
    Page("board", "/pipeline/", EVERYONE),
    Page("prospect new", "/pipeline/prospects/new/", EVERYONE),
    Page("prospect", "/pipeline/prospects/{prospect}/", EVERYONE),
    Page("prospect edit", "/pipeline/prospects/{prospect}/edit/", EVERYONE),
    Page("prospect delete", "/pipeline/prospects/{prospect}/delete/", EVERYONE),
    Page("prospect move", "/pipeline/prospects/{prospect}/advance/", EVERYONE),
    Page("commitments", "/commitments/", EVERYONE),
    Page("confidence", "/confidence/", EVERYONE),
    Page("plan", "/plan/", EVERYONE),
    Page("funnel", "/funnel/", EVERYONE),
    Page("team scorecard", "/team/", EVERYONE),
    Page("team scorecard, whole agency", "/team/?team=all", EVERYONE),
    Page("drill-down", "/team/producer/{colleague}/", EVERYONE),
    Page("meetings", "/meeting/", EVERYONE),
    Page("meeting: my turn", "/meeting/turn/", EVERYONE),
    Page("meeting minutes", "/meeting/{minutes}/", LEADERS),
    Page("meeting minutes (phone)", "/meeting/{minutes}/minutes/", EVERYONE),
    Page("export", "/export/", EVERYONE),
    Page("profile", "/profile/", EVERYONE),
    Page("API tokens", "/profile/tokens/", EVERYONE),
    Page("search", "/search/?q=an", EVERYONE),
    Page("notifications", "/notifications/", EVERYONE),
    Page("one-on-ones", "/one-on-ones/", EVERYONE),
    Page("obstacles", "/meeting/obstacles/", EVERYONE),
    Page("offline", "/offline/", (*NOBODY_LOGGED_IN, *EVERYONE)),
    # leading a team
    Page("meeting screen", "/meeting/{meeting}/", LEADERS),
    Page("role fit", "/role-fit/", LEADERS),
    Page("role fit detail", "/role-fit/{colleague}/", LEADERS),
    Page("plan of a colleague", "/plan/{colleague}/", LEADERS),
    Page("one-on-one", "/one-on-ones/{one_on_one}/", LEADERS),
    Page("one-on-one new", "/one-on-ones/new/?producer={colleague}", LEADERS),
    Page("leader alerts", "/alerts/", LEADERS),
    Page("lost reasons", "/pipeline/lost-reasons/", LEADERS),
    Page("confidence of a colleague", "/confidence/{colleague}/", LEADERS),
    Page("settings", "/settings/", LEADERS),
    Page("people", "/settings/people/", LEADERS),
    Page("invite", "/invite/", LEADERS),
    Page("import", "/import/", LEADERS),
    Page("import preview", "/import/{import_job}/", LEADERS),  # the leader's own import
    # owning the agency
    Page("history", "/audit/", OWNERS),
    Page("settings: agency", "/settings/agency/", OWNERS),
    Page("settings: teams", "/settings/teams/", OWNERS),
    Page("settings: team", "/settings/teams/{team}/", OWNERS),
    Page("settings: stages", "/settings/stages/", OWNERS),
    Page("settings: stage", "/settings/stages/{stage}/", OWNERS),
    Page("settings: activity types", "/settings/activity-types/", OWNERS),
    Page("settings: activity type", "/settings/activity-types/{activity_type}/", OWNERS),
    Page("settings: lost reasons", "/settings/lost-reasons/", OWNERS),
    Page("settings: lost reason", "/settings/lost-reasons/{lost_reason}/", OWNERS),
    Page("settings: agency API tokens", "/settings/tokens/", OWNERS),
    Page("settings: webhooks", "/settings/webhooks/", OWNERS),
    Page("settings: webhook", "/settings/webhooks/{webhook}/", OWNERS),
]


@dataclass
class Demo:
    """The ids the pages' URLs name: shared ones, and per role (their own prospect)."""

    url: str
    ids: dict[str, object]
    own: dict[str, dict[str, object]]

    def url_of(self, page: Page, role: str) -> str:
        if callable(page.url):
            return page.url(self, role)
        return page.url.format(**self.ids, **self.own.get(role, {}))


@dataclass
class Scan:
    demo: Demo
    browser: object
    contexts: dict = field(default_factory=dict)
    # (page, role, size) -> {"status", "violations": [...], "console": [...]}
    results: dict = field(default_factory=dict)

    def context(self, role: str):
        if role not in self.contexts:
            context = self.browser.new_context(base_url=self.demo.url, bypass_csp=True)
            context.set_default_timeout(15_000)
            if role != VISITOR:
                page = context.new_page()
                page.goto("/login/")
                page.fill("#id_username", role)
                page.fill("#id_password", DEMO_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state("load")
                assert "/login/" not in page.url, f"{role} could not log in"
                page.close()
            self.contexts[role] = context
        return self.contexts[role]


def _demo_data(url: str) -> Demo:
    """The demo agency, with a meeting running for the North team, last week's minutes, TV
    links, an import waiting for its preview, a webhook and an invitation."""
    from accountability.coaching.services import one_on_one_record
    from accountability.meetings.kiosk import kiosk_link_create
    from accountability.meetings.obstacles.services import obstacle_raise
    from accountability.meetings.services import meeting_end, meeting_start
    from pipeline.imports.services import import_job_create
    from pipeline.models import ActivityType, LostReason, Prospect, Stage
    from pipeline.services import agency_create
    from pipeline.setup import setup_token_make
    from salesculture.invitations import invitation_create
    from salesculture.models import Producer, Team, Webhook
    from salesculture.weeks import Week

    call_command("seed_demo", producers=4, weeks=6, verbosity=0)
    people = {p.user.username: p for p in
              Producer.objects.select_related("user", "team", "agency")}
    leader, owner, producer = people["leader"], people["owner"], people["producer"]
    agency, north = leader.agency, leader.team
    south = Team.objects.exclude(pk=north.pk).get(agency=agency)
    this_week = Week.current(agency).start
    minutes = meeting_start(team=north, week_start=this_week - dt.timedelta(days=7), actor=leader)
    meeting_end(meeting=minutes, actor=leader)
    meeting = meeting_start(team=north, week_start=this_week, actor=leader)
    one_on_one = one_on_one_record(
        actor=leader, producer=producer, held_on=this_week, notes="Talked through referrals.",
        actions=["Ask two clients for a referral"], commit_actions=False,
        follow_up_on=this_week + dt.timedelta(days=14))
    obstacle_raise(team=north, actor=producer, text="Carrier X won't quote restaurants",
                   owner=leader, due_date=this_week + dt.timedelta(days=7), meeting=meeting)
    sample = (Path(__file__).parents[2] / "static" / "samples" / "prospects.csv").read_bytes()
    job = import_job_create(actor=leader, kind="prospects", data=sample, filename="prospects.csv")
    webhook = Webhook.objects.create(agency=agency, url="https://hooks.example.com/sales",
                                     events=["stage_win"], created_by=owner, secret="s" * 64)
    _, invitation_token = invitation_create(actor=owner, email="new.hire@summit.example",
                                            name="New Hire", role="producer", team=north)
    reset_user = people["marcus"].user
    # an agency made by `manage.py agency_create`, waiting for its owner to open the link
    waiting = agency_create(name="Lakeside Insurance", slug="lakeside", time_zone="America/Chicago")
    open_prospects = Prospect.objects.filter(agency=agency, stage__kind=Stage.Kind.OPEN)
    return Demo(url=url, ids={
        "reset_uid": urlsafe_base64_encode(force_bytes(reset_user.pk)),
        "reset_token": default_token_generator.make_token(reset_user),
        "invitation_token": invitation_token, "setup_token": setup_token_make(waiting),
        "kiosk_board": kiosk_link_create(team=south, actor=owner, label="South TV").token,
        "kiosk_meeting": kiosk_link_create(team=north, actor=leader, label="North TV").token,
        "colleague": producer.pk, "meeting": meeting.pk, "minutes": minutes.pk,
        "one_on_one": one_on_one.pk,
        "import_job": job.pk, "webhook": webhook.pk, "team": north.pk,
        "stage": Stage.objects.filter(agency=agency).order_by("position").first().pk,
        "activity_type": ActivityType.objects.filter(agency=agency).first().pk,
        "lost_reason": LostReason.objects.filter(agency=agency).first().pk,
    }, own={role: {"prospect": open_prospects.filter(owner=people[role]).first().pk}
            for role in EVERYONE})


@pytest.fixture(scope="module")
def scan(django_db_setup, django_db_blocker, browser):
    """One demo agency and one live server for the whole module, one logged-in browser
    context per role: pytest-django's live_server would flush the data after every test."""
    from pytest_django.live_server_helper import LiveServer

    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                  "staticfiles": {"BACKEND":
                                  "django.contrib.staticfiles.storage.StaticFilesStorage"}})
    with django_db_blocker.unblock(), fast, _test_database():
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        state = None
        try:
            state = Scan(demo=_demo_data(server.url), browser=browser)
            yield state
        finally:
            for context in state.contexts.values() if state else ():
                context.close()
            server._live_server_modified_settings.disable()
            server.stop()
            _write_summary(state.results if state else {})
            call_command("flush", interactive=False, verbosity=0)


@contextmanager
def _test_database():
    """pytest-django sets the test database up only for tests that ask for `db` (or a
    django_db mark), and those are flushed or rolled back after each test; a module that runs
    alone sets it up here."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    if connection.settings_dict["NAME"] == connection.creation._get_test_db_name():
        yield
        return
    config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        yield
    finally:
        teardown_databases(config, verbosity=0)


RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
    nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " :: " +
                                   (n.failureSummary || "").split("\\n").slice(1, 2).join("")),
  }));
}"""


def _scan_one(scan: Scan, page_spec: Page, role: str) -> None:
    """Open the page once for the role and scan it at each size. No script reads the
    viewport (the layout is CSS media queries), so resizing lays it out as a fresh load at
    that size would, at a third of the loads."""
    tab = scan.context(role).new_page()
    console: list[str] = []
    tab.on("console", lambda message: console.append(f"console: {message.text}")
           if message.type == "error" else None)
    tab.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    url = scan.demo.url_of(page_spec, role)
    try:
        tab.set_viewport_size(SIZES["phone"])
        response = tab.goto(url)
        status = response.status if response else None
        tab.wait_for_load_state("load")
        # Scrolled to the end and back, as a reader would: a part asked for when it comes
        # into view (My week's below the fold) is scanned too.
        tab.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        tab.wait_for_load_state("networkidle")
        tab.evaluate("() => window.scrollTo(0, 0)")
        tab.add_script_tag(path=str(AXE))
        for size, viewport in SIZES.items():
            tab.set_viewport_size(viewport)
            tab.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
            scan.results[(page_spec.name, role, size)] = {
                "url": url, "landed": tab.url.removeprefix(scan.demo.url), "status": status,
                "violations": tab.evaluate(RUN_AXE, AXE_TAGS), "console": console}
    finally:
        tab.close()
    if status == page_spec.status and status != 200:
        # The browser logs the page's own expected error status; anything else still counts.
        expected = ("console: Failed to load resource: the server responded with a status of "
                    f"{status}")
        console[:] = [line for i, line in enumerate(console)
                      if not (line.startswith(expected) and i == console.index(line))]


@pytest.mark.parametrize("page_spec", PAGES, ids=[p.name for p in PAGES])
def test_page_has_no_serious_violation_nor_console_error(scan, page_spec):
    problems = []
    for role in page_spec.roles:
        _scan_one(scan, page_spec, role)
        for size in SIZES:
            seen = scan.results[(page_spec.name, role, size)]
            where = f"{role} at {size} ({seen['url']})"
            if seen["status"] != page_spec.status:
                problems.append(f"{where}: answered {seen['status']}, landed on {seen['landed']}")
            for violation in seen["violations"]:
                if violation["impact"] in BLOCKING:
                    problems.append(f"{where}: {violation['impact']} {violation['id']} "
                                    f"({violation['help']}) x{violation['count']}: "
                                    + " | ".join(violation["nodes"]))
        problems += [f"{role} ({seen['url']}): {line}" for line in seen["console"]]
    assert problems == [], "\n".join(problems)


def _write_summary(results: dict) -> None:
    """JSON with every violation, and a table of counts by impact per page, role and size."""
    if not results:
        return
    SUMMARY.mkdir(parents=True, exist_ok=True)
    rows = []
    for (page, role, size), seen in sorted(results.items()):
        impacts = Counter()
        for violation in seen["violations"]:
            impacts[violation["impact"]] += violation["count"]
        rows.append({"page": page, "role": role, "size": size, "url": seen["url"],
                     "status": seen["status"], "console_errors": len(seen["console"]),
                     **{impact: impacts.get(impact, 0)
                        for impact in ("critical", "serious", "moderate", "minor")},
                     "rules": sorted({v["id"] for v in seen["violations"]}),
                     "violations": seen["violations"], "console": seen["console"]})
    (SUMMARY / "axe-summary.json").write_text(json.dumps(rows, indent=1))
    lines = ["| page | role | size | status | critical | serious | moderate | minor | console "
             "| rules |", "|---|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['page']} | {r['role']} | {r['size']} | {r['status']} | {r['critical']} | "
              f"{r['serious']} | {r['moderate']} | {r['minor']} | {r['console_errors']} | "
              f"{', '.join(r['rules'])} |" for r in rows]
    (SUMMARY / "axe-summary.md").write_text("\n".join(lines) + "\n")


# Celebrations (a won card, a new win on the team board, a quick-log tap) and how to start one
# on a page that shows it: the class the page's script or swap would add.
CELEBRATIONS = [
    ("/pipeline/", ".board-card", "celebrate"),
    ("/week/", ".quick-btn", "pop"),
    ("/team/", ".scorecard tbody tr", "win-new"),
]
MOVING = """() => document.getAnimations()
  .map((a) => a.effect.getComputedTiming())
  .filter((t) => t.duration > 50 || t.iterations === Infinity)
  .map((t) => `${t.duration}ms x${t.iterations}`)"""


def test_celebrations_keep_still_when_the_viewer_asks_for_reduced_motion(scan):
    tab = scan.context(LEADER).new_page()
    try:
        tab.emulate_media(reduced_motion="reduce")
        for url, selector, celebration in CELEBRATIONS:
            tab.goto(url)
            target = tab.locator(selector).first
            target.evaluate("(el, name) => el.classList.add(name)", celebration)
            assert tab.evaluate(MOVING) == [], f"{url}: {selector}.{celebration} still moves"
        # and the same celebration does move for everyone else: the check above can fail
        tab.emulate_media(reduced_motion="no-preference")
        tab.goto("/pipeline/")
        tab.locator(".board-card").first.evaluate("(el) => el.classList.add('celebrate')")
        assert tab.evaluate(MOVING) != []
    finally:
        tab.close()


# A few controls of each kind, reached with the Tab key: each shows where the focus is.
FOCUS_PAGES = ["/week/", "/pipeline/", "/team/", "/commitments/", "/meeting/"]
FOCUS_RING = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
    || (style.boxShadow && style.boxShadow !== "none");
  const text = (el.textContent || "").trim().slice(0, 30);
  return ring ? "" : `${el.tagName}.${el.className} ${text}`;
}"""


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_every_control_reached_by_the_keyboard_shows_its_focus(scan, size):
    tab = scan.context(PRODUCER).new_page()
    unseen = []
    try:
        tab.set_viewport_size(SIZES[size])
        for url in FOCUS_PAGES:
            tab.goto(url)
            for _ in range(25):
                tab.keyboard.press("Tab")
                if tab.evaluate("() => document.activeElement === document.body"):
                    break
                if missing := tab.evaluate(FOCUS_RING):
                    unseen.append(f"{url}: {missing}")
    finally:
        tab.close()
    assert unseen == [], "\n".join(sorted(set(unseen)))


def test_a_quick_log_tap_updates_its_count_in_place_and_is_announced(scan):
    tab = scan.context(PRODUCER).new_page()
    try:
        tab.goto("/week/")
        tab.wait_for_load_state("networkidle")  # htmx (deferred) is listening
        said = tab.locator("#quick-log-said[role=status][aria-live=polite]")
        assert said.inner_text() == ""
        button = tab.locator(".quick-btn").first
        name = button.locator(".quick-name").inner_text()
        before = int(button.locator(".quick-count").inner_text())
        button.click()
        # the live region was on the page before the tap, outside the section it replaced
        tab.wait_for_selector("#quick-log-said:not(:empty)", state="attached")
        after = int(tab.locator(".quick-btn").first.locator(".quick-count").inner_text())
        assert after == before + 1
        assert said.inner_text() == f"Logged 1 × {name}. {name}: {after} this week."
    finally:
        tab.close()


def test_escape_takes_a_toast_away(scan):
    tab = scan.context(PRODUCER).new_page()
    try:
        tab.goto("/week/")
        tab.wait_for_load_state("networkidle")
        tab.evaluate("""() => document.body.dispatchEvent(
            new CustomEvent("toast", {detail: {text: "Saved."}}))""")
        toast = tab.locator("#toasts[role=status][aria-live=polite] .toast")
        assert toast.inner_text() == "Saved."
        tab.keyboard.press("Escape")
        assert toast.count() == 0
    finally:
        tab.close()
