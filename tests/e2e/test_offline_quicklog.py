"""A producer in a dead zone: quick-logs tapped on My week while the phone is offline wait on
the phone (the page says how many) and are sent, each counted once, when it is back online."""

from pipeline.models import Activity
from salesculture.models import Producer
from tests.e2e.conftest import PHONE, log_in, screenshot


def console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_quick_logs_tapped_offline_are_sent_once_back_online(demo, new_page):
    page = new_page(PHONE)
    errors = console_errors(page)
    log_in(page, "producer")
    assert page.url.endswith("/week/")
    # The app is installable: the worker is in charge of the page's scope.
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.active !== null)")
    paula = Producer.objects.get(user__username="producer")
    logged_before = Activity.objects.filter(producer=paula).count()
    button = page.locator(".quick-btn[data-type='Call']")
    shown_before = int(button.locator(".quick-count").inner_text())

    # given: no network
    page.context.set_offline(True)
    assert page.evaluate("navigator.onLine") is False
    # when: three taps on Call
    for _ in range(3):
        button.click()
    # then: the page says they wait, and nothing reached the server
    status = page.locator("#offline-status")
    status.filter(has_text="3 quick-logs waiting to send").wait_for()
    assert status.get_attribute("role") == "status"
    assert button.locator(".quick-count").inner_text() == str(shown_before + 3)
    assert Activity.objects.filter(producer=paula).count() == logged_before
    screenshot(page, "offline-quicklog-waiting")

    # when: back online
    page.context.set_offline(False)
    status.filter(has_text="3 quick-logs sent.").wait_for(timeout=15_000)
    # then: exactly three activities, and the count on the button is the server's
    assert Activity.objects.filter(producer=paula).count() == logged_before + 3
    page.locator(".quick-btn[data-type='Call'] .quick-count").filter(
        has_text=str(shown_before + 3)).wait_for()
    # The last answer is swapped in as a tap online would: the undo of the last tap with it.
    assert page.evaluate("typeof htmx.swap") == "function"
    page.locator(".undo-bar").wait_for()
    screenshot(page, "offline-quicklog-sent")

    # A replay of a tap that already arrived (its answer lost) counts once: queue the last
    # token again, as the page does after a failed send, and come back online.
    token = Activity.objects.filter(producer=paula).latest("id").client_token
    assert token
    page.evaluate("""([token, user, type]) => new Promise((resolve, reject) => {
      const open = indexedDB.open("salesculture-offline", 1);
      open.onsuccess = () => {
        const tx = open.result.transaction("quicklogs", "readwrite");
        tx.objectStore("quicklogs").put({token, user, url: "/week/log/", at: Date.now(),
          fields: {activity_type: type, client_token: token}});
        tx.oncomplete = () => { open.result.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
      };
    })""", [token, str(paula.user_id),
            str(Activity.objects.filter(producer=paula).latest("id").activity_type_id)])
    page.evaluate("window.dispatchEvent(new Event('online'))")
    status.filter(has_text="1 quick-log sent.").wait_for(timeout=15_000)
    assert Activity.objects.filter(producer=paula).count() == logged_before + 3
    assert errors == []


def test_another_person_on_the_same_phone_never_sends_the_first_ones_taps(demo, new_page):
    page = new_page(PHONE)
    errors = console_errors(page)
    log_in(page, "producer")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    paula = Producer.objects.get(user__username="producer")
    paula_logged = Activity.objects.filter(producer=paula).count()
    page.context.set_offline(True)
    page.locator(".quick-btn[data-type='Call']").click()
    page.locator("#offline-status").filter(has_text="1 quick-log waiting").wait_for()
    # Back online, but the quick-log cannot get through before Paula hands the phone over.
    page.route("**/week/log/", lambda route: route.abort())
    page.context.set_offline(False)
    page.locator("#offline-status").filter(has_text="1 quick-log waiting to send…").wait_for()
    page.evaluate("document.querySelector('form.nav-logout').submit()")
    page.wait_for_url("**/login/")
    page.unroute("**/week/log/")
    log_in(page, "leader")
    page.goto("/week/")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    # Lee's page neither sends nor mentions Paula's tap; it stays on the phone for her.
    assert page.locator("#offline-status").count() == 0
    leader = Producer.objects.get(user__username="leader")
    assert not Activity.objects.filter(producer=leader, client_token__isnull=False).exists()
    assert Activity.objects.filter(producer=paula).count() == paula_logged
    assert [e for e in errors if "net::ERR_FAILED" not in e] == []
