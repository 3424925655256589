package dev.kiln.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The system's headless Chromium (Debian package {@code chromium}) driven over the Chrome
 * DevTools Protocol with the JDK's own HTTP client and WebSocket: navigate, evaluate
 * JavaScript, record the network requests the page makes, take a screenshot. No Node, no
 * Playwright, no driver download, so it runs wherever the browser package is installed and
 * {@link #find()} says so otherwise.
 *
 * <p>Every wait is bounded by {@link TestServer#TIMEOUT_S} as a hang guard; nothing is timed.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger nextId = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    /** Every CDP event received, in order (method and params). */
    final List<JsonObject> events = new CopyOnWriteArrayList<>();

    /** The browser binary: {@code KILN_CHROMIUM}, else the Debian and upstream names on the PATH. */
    static Optional<Path> find() {
        String override = System.getenv("KILN_CHROMIUM");
        if (override != null && !override.isBlank()) return Optional.of(Path.of(override)).filter(Files::isExecutable);
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String name : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) {
            for (String dir : path.split(":")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    HeadlessChromium(Path binary, int width, int height) throws Exception {
        profile = Files.createTempDirectory("kiln-chromium");
        process = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
                "--window-size=" + width + "," + height, "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String browserWs = readDevToolsUrl();
        // Attach to the page (about:blank) rather than the browser: page domains are what we use.
        URI browser = URI.create(browserWs);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(TestServer.TIMEOUT_S)).build();
        String list = http.send(HttpRequest.newBuilder(URI.create("http://" + browser.getAuthority() + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String pageWs = null;
        for (Object o : new JsonArray(list)) {
            JsonObject t = (JsonObject) o;
            if ("page".equals(t.getString("type"))) pageWs = t.getString("webSocketDebuggerUrl");
        }
        if (pageWs == null) throw new IOException("Chromium lists no page target: " + list);
        socket = http.newWebSocketBuilder().buildAsync(URI.create(pageWs), new Listener())
                .get(TestServer.TIMEOUT_S, TimeUnit.SECONDS);
        send("Page.enable", new JsonObject());
        send("Network.enable", new JsonObject());
        send("Emulation.setDeviceMetricsOverride", new JsonObject().put("width", width).put("height", height)
                .put("deviceScaleFactor", 1).put("mobile", false));
    }

    /** Chromium prints the DevTools URL on stderr once it listens; other lines are noise. */
    private String readDevToolsUrl() throws IOException {
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                StringBuilder seen = new StringBuilder();
                for (String line; (line = r.readLine()) != null; ) {
                    Matcher m = DEVTOOLS.matcher(line);
                    if (m.find()) url.complete(m.group(1));
                    else if (!url.isDone() && seen.length() < 4000) seen.append(line).append('\n');
                }
                url.completeExceptionally(new IOException("Chromium exited before listening:\n" + seen));
            } catch (IOException e) {
                url.completeExceptionally(e);
            }
        }, "chromium-stderr");
        reader.setDaemon(true);
        reader.start();
        try {
            return url.get(TestServer.TIMEOUT_S, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IOException("Chromium did not start its DevTools endpoint: " + e.getMessage(), e);
        }
    }

    /** Sends one CDP command and waits for its result (hang guard: {@link TestServer#TIMEOUT_S}). */
    JsonObject send(String method, JsonObject params) {
        int id = nextId.incrementAndGet();
        CompletableFuture<JsonObject> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(new JsonObject().put("id", id).put("method", method).put("params", params).encode(), true).join();
        try {
            JsonObject r = reply.get(TestServer.TIMEOUT_S, TimeUnit.SECONDS);
            if (r.containsKey("error")) throw new AssertionError(method + " failed: " + r.getJsonObject("error"));
            return r.getJsonObject("result", new JsonObject());
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(method + " got no answer: " + e, e);
        }
    }

    void navigate(String url) {
        send("Page.navigate", new JsonObject().put("url", url));
    }

    /** Evaluates a JavaScript expression in the page and returns its value (JSON-compatible). */
    Object eval(String expression) {
        JsonObject r = send("Runtime.evaluate", new JsonObject().put("expression", expression)
                .put("returnByValue", true).put("awaitPromise", true));
        if (r.containsKey("exceptionDetails")) throw new AssertionError("script failed: " + expression + "\n" + r.getJsonObject("exceptionDetails"));
        return r.getJsonObject("result").getValue("value");
    }

    /** Polls {@code expression} until {@code done} holds for its value; the hang guard fails with {@code what}. */
    Object waitFor(String what, String expression, Predicate<Object> done) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TestServer.TIMEOUT_S);
        Object last = null;
        while (System.nanoTime() < end) {
            last = eval(expression);
            if (done.test(last)) return last;
            Thread.sleep(100);
        }
        throw new AssertionError("hang guard: waited " + TestServer.TIMEOUT_S + " s for " + what + "; last value " + last);
    }

    /** A PNG of the whole page. */
    byte[] screenshot() {
        JsonObject r = send("Page.captureScreenshot", new JsonObject().put("format", "png").put("captureBeyondViewport", true));
        return Base64.getDecoder().decode(r.getString("data"));
    }

    /** URLs of every request the page made (Network.requestWillBeSent). */
    List<String> requestedUrls() {
        List<String> urls = new ArrayList<>();
        for (JsonObject e : events) {
            if ("Network.requestWillBeSent".equals(e.getString("method"))) {
                urls.add(e.getJsonObject("params").getJsonObject("request").getString("url"));
            }
        }
        return urls;
    }

    @Override
    public void close() {
        try {
            if (socket != null) socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        } catch (RuntimeException ignored) {
            // the browser is going away either way
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }

    /** Reassembles text frames and routes replies (by id) and events. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonObject msg = new JsonObject(partial.toString());
                partial.setLength(0);
                Integer id = msg.getInteger("id");
                if (id != null) {
                    CompletableFuture<JsonObject> f = pending.remove(id);
                    if (f != null) f.complete(msg);
                } else {
                    events.add(msg);
                }
            }
            ws.request(1);
            return null;
        }
    }
}
