package dev.kiln.http;

import dev.kiln.runtime.KilnRuntime;
import dev.kiln.runtime.config.KilnConfig;
import dev.kiln.runtime.routing.Calibration;
import dev.kiln.runtime.routing.EarliestFinishRouter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.kiln.http.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard end to end in a real headless Chromium (Debian {@code chromium}; the test
 * skips without it) against a real Kiln with the learned router and an API key: the page
 * asks for the key and sends it on every call (its event stream included), renders the
 * backends, a job submitted from the page draws its residual curve live from the SSE
 * stream and can be cancelled from the page, the ω chart and the predicted-vs-actual chart
 * draw, and the page asks nothing of any host but Kiln. The screenshot is written to
 * {@code target/dashboard/dashboard.png}.
 */
class DashboardBrowserTest {
    static final Path SCREENSHOT = Path.of("target", "dashboard", "dashboard.png");
    /** A test key (at least 16 characters, as kiln.http.api-keys requires). */
    static final String API_KEY = "dashboard-test-key-7f3a9c21";
    /** Whether the page shows its API key form (as rendered, not merely its hidden attribute). */
    static final String VISIBLE_KEY_FORM = "(f => !!f && getComputedStyle(f).display !== 'none')(document.getElementById('key-form'))";

    static Vertx vertx;
    static KilnRuntime runtime;
    static HttpApi api;
    static WebClient client;
    static HeadlessChromium browser;

    @BeforeAll
    static void start() throws Exception {
        var binary = HeadlessChromium.find();
        assumeTrue(binary.isPresent(), "no Chromium on this machine (Debian: apt-get install chromium; or set KILN_CHROMIUM)");
        // Progress every 5 ms instead of 200, so the curve has many points within a second; an
        // API key, so the page's data calls and its event stream must carry it.
        KilnConfig config = KilnConfig.of(Map.of(KilnConfig.HTTP_HOST.name(), "127.0.0.1", KilnConfig.HTTP_PORT.name(), "0",
                KilnConfig.SHUTDOWN_GRACE_MS.name(), "2000", KilnConfig.PROGRESS_INTERVAL_MS.name(), "5",
                KilnConfig.HTTP_API_KEYS.name(), API_KEY));
        EarliestFinishRouter router = EarliestFinishRouter.fromConfig(config);
        runtime = KilnRuntime.start(config, router);
        Calibration.run(runtime.backends(), router.costModel().orElseThrow());
        vertx = Vertx.vertx();
        api = await(HttpApi.deploy(vertx, runtime));
        client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(api.actualPort()));
        // A family whose ω the tuner learns, so the ω chart has arms to draw, and results to list.
        for (int i = 0; i < 6; i++) {
            HttpResponse<Buffer> r = await(client.post("/v1/jobs?wait=60000").putHeader("Content-Type", "application/json")
                    .putHeader("Authorization", "Bearer " + API_KEY)
                    .sendBuffer(Buffer.buffer("{\"kind\":\"linear\",\"family\":\"dashboard-sor\",\"problem\":{\"matrix\":"
                            + "{\"generator\":\"poisson2d\",\"nx\":24}},\"options\":{\"method\":\"sor\",\"omega\":\"auto\"}}")));
            assertEquals(200, r.statusCode(), r.bodyAsString());
        }
        browser = new HeadlessChromium(binary.get(), 1400, 1500);
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (client != null) client.close();
        if (api != null) await(api.close());
        if (vertx != null) await(vertx.close());
        if (runtime != null) runtime.close();
    }

    @Test
    void theDashboardShowsBackendsFollowsASubmittedJobLiveAndLoadsNothingFromElsewhere() throws Exception {
        String origin = "http://127.0.0.1:" + api.actualPort();
        browser.navigate(origin + "/");
        // The data routes answer 401 until the page has the key; it asks for one.
        browser.waitFor("the API key form", VISIBLE_KEY_FORM, Boolean.TRUE::equals);
        browser.eval("document.getElementById('api-key').value = " + jsString(API_KEY)
                + "; document.getElementById('key-form').requestSubmit(); true");
        browser.waitFor("the cpu backend's row", "document.querySelectorAll('#backends-body tr[data-backend=\"cpu\"]').length", v -> ((Number) v).intValue() == 1);
        assertEquals("up", browser.eval("document.querySelector('#backends-body tr[data-backend=\"cpu\"] .badge').textContent"));
        browser.waitFor("the recent jobs", "document.querySelectorAll('#recent-body tr[data-job]').length", v -> ((Number) v).intValue() >= 6);
        browser.waitFor("the predicted-vs-actual points", "document.querySelectorAll('#model-chart circle').length", v -> ((Number) v).intValue() >= 1);

        // Submit from the page a job that runs until cancelled (it cannot finish first: a million
        // unknowns to 1e-14), watch its curve grow from the SSE stream, cancel it from the page.
        String job = TestServer.longJob("dashboard-live").replace("\n", " ");
        browser.eval("document.getElementById('submit-box').open = true; document.getElementById('job-json').value = " + jsString(job)
                + "; document.getElementById('submit').click(); true");
        browser.waitFor("a live curve of 20 progress samples", "(document.getElementById('curve') || {dataset: {points: '0'}}).dataset.points",
                v -> Integer.parseInt(String.valueOf(v)) >= 20);
        browser.eval("document.getElementById('cancel').click(); true");
        browser.waitFor("the cancelled status", "document.getElementById('job-status').dataset.state", "cancelled"::equals);
        assertTrue(Integer.parseInt(String.valueOf(browser.eval("document.getElementById('curve').dataset.points"))) >= 20);

        browser.eval("document.getElementById('family').value = 'dashboard-sor'; document.getElementById('show-family').click(); true");
        browser.waitFor("the ω bars", "document.querySelectorAll('#omega-chart rect.bar').length", v -> ((Number) v).intValue() >= 2);
        browser.waitFor("the cancelled job in the list", "document.querySelector('#recent-body tr[data-job=\"dashboard-live\"] .badge')?.textContent",
                "cancelled"::equals);

        browser.waitFor("the key form to go once the key works", VISIBLE_KEY_FORM, Boolean.FALSE::equals);
        Files.createDirectories(SCREENSHOT.getParent());
        Files.write(SCREENSHOT, browser.screenshot());
        System.out.println("dashboard screenshot: " + SCREENSHOT.toAbsolutePath());

        List<String> foreign = browser.requestedUrls().stream()
                .filter(u -> !u.startsWith(origin + "/") && !u.startsWith("data:") && !u.equals("about:blank")).toList();
        assertTrue(foreign.isEmpty(), "the page requested other hosts: " + foreign);
    }

    private static String jsString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
