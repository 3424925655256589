package dev.kiln.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The CLI client of {@code ./kiln}: {@code submit}, {@code watch}, {@code status},
 * {@code backends}, {@code tuning} over Kiln's HTTP API. Exit codes a script can rely on:
 * 0 succeeded, 1 failed, 2 usage, 3 rejected, 4 cancelled or timed out, 5 Kiln not
 * reachable, 6 still running. Runs on the main thread.
 */
public final class KilnClientCommand {
    public static final int OK = 0, FAILED = 1, USAGE = 2, REJECTED = 3, STOPPED = 4, UNREACHABLE = 5, RUNNING = 6, UNAUTHORIZED = 7;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String url = "http://localhost:8080";
    /** Set by {@code --bootstrap}: submit over Kafka instead of HTTP. */
    private String bootstrap;
    /** The API key for a Kiln with kiln.http.api-keys set: {@code --api-key}, else {@code KILN_API_KEY}. */
    private String apiKey = System.getenv("KILN_API_KEY");
    private boolean json;
    private final boolean terminal = System.console() != null;

    public KilnClientCommand(PrintStream out) {
        this.out = out;
    }

    public int run(String command, List<String> args) {
        List<String> pos = new ArrayList<>();
        String mtx = null, qubo = null, maxcut = null, backend = null;
        bootstrap = null;
        boolean wait = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--url" -> url = need(args, ++i, a);
                case "--api-key" -> apiKey = need(args, ++i, a);
                case "--json" -> json = true;
                case "--wait" -> wait = true;
                case "--mtx" -> mtx = need(args, ++i, a);
                case "--qubo" -> qubo = need(args, ++i, a);
                case "--maxcut" -> maxcut = need(args, ++i, a);
                case "--backend" -> backend = need(args, ++i, a);
                case "--bootstrap" -> bootstrap = need(args, ++i, a);
                default -> {
                    if (a.startsWith("--")) return usage("unknown option " + a);
                    pos.add(a);
                }
            }
        }
        if (url.endsWith("/")) url = url.substring(0, url.length() - 1);
        try {
            return switch (command) {
                case "submit" -> submit(pos, mtx, qubo, maxcut, backend, wait);
                case "watch" -> pos.size() == 1 ? watch(pos.get(0), Double.NaN) : usage("watch needs a job id");
                case "status" -> pos.size() == 1 ? status(pos.get(0)) : usage("status needs a job id");
                case "backends" -> backends();
                case "tuning" -> pos.size() == 1 ? tuning(pos.get(0)) : usage("tuning needs a family");
                default -> usage("unknown command " + command);
            };
        } catch (Unauthorized e) {
            System.err.println("kiln: " + e.getMessage() + " (give the key with --api-key KEY or KILN_API_KEY)");
            return UNAUTHORIZED;
        } catch (ConnectException e) {
            System.err.println("kiln: cannot reach Kiln at " + url + " (is ./kiln running? --url sets the address)");
            return UNREACHABLE;
        } catch (IOException e) {
            System.err.println("kiln: " + e.getMessage());
            return UNREACHABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
    }

    private int submit(List<String> pos, String mtx, String qubo, String maxcut, String backend, boolean wait) throws IOException, InterruptedException {
        ObjectNode job;
        if (mtx != null) {
            job = JSON.createObjectNode().put("kind", "linear");
            ObjectNode p = job.putObject("problem");
            p.putObject("matrix").put("format", "matrix-market").put("text", Files.readString(Path.of(mtx), StandardCharsets.US_ASCII));
        } else if (qubo != null) {
            job = JSON.createObjectNode().put("kind", "qubo");
            job.putObject("problem").set("qubo", pairsFromFile(Path.of(qubo), "terms"));
        } else if (maxcut != null) {
            job = JSON.createObjectNode().put("kind", "qubo");
            job.putObject("problem").set("maxcut", pairsFromFile(Path.of(maxcut), "edges"));
        } else if (pos.size() == 1) {
            JsonNode n = JSON.readTree(Files.readAllBytes(Path.of(pos.get(0))));
            if (!(n instanceof ObjectNode o)) throw new IllegalArgumentException(pos.get(0) + " does not hold a JSON job object");
            job = o;
        } else {
            return usage("submit needs a job file, --mtx FILE, --qubo FILE (Beasley) or --maxcut FILE (G-set)");
        }
        if (backend != null) {
            ObjectNode opts = job.has("options") && job.get("options").isObject() ? (ObjectNode) job.get("options") : job.putObject("options");
            opts.put("backend", backend);
        }
        double tol = job.path("options").path("tolerance").asDouble(1e-8);
        if (bootstrap != null) {
            if (!job.hasNonNull("id")) job.put("id", java.util.UUID.randomUUID().toString());
            int code = KafkaSubmission.submit(bootstrap, job, wait, json, tol, out);
            return code == KafkaSubmission.SUCCEEDED ? OK : code == KafkaSubmission.ACCEPTED ? OK
                    : code == KafkaSubmission.TIMEOUT ? RUNNING : finishStatus(code);
        }
        HttpResponse<String> r = http.send(request("/v1/jobs")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(job))).build(), HttpResponse.BodyHandlers.ofString());
        refuseUnauthorized(r.statusCode(), r.body());
        JsonNode body = parse(r.body());
        if (r.statusCode() >= 400) {
            print(body);
            return body.path("status").asText().equals("rejected") || r.statusCode() == 400 || r.statusCode() == 413 ? REJECTED : FAILED;
        }
        String id = body.path("id").asText();
        if (!wait) {
            if (json) out.println(body);
            else out.println(id);
            return OK;
        }
        if (!json) System.err.println("submitted " + id);
        return watch(id, tol);
    }

    /** Streams the job's SSE events, drawing a progress bar on a terminal, and prints the result. */
    private int watch(String id, double tol) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = http.send(request("/v1/jobs/" + enc(id) + "/events")
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() == 401) {
            try (InputStream in = r.body()) {
                refuseUnauthorized(401, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        if (r.statusCode() == 404) {
            System.err.println("kiln: no job " + id);
            return FAILED;
        }
        ProgressBar bar = new ProgressBar(Double.isNaN(tol) ? 1e-8 : tol);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String event = null;
            StringBuilder data = new StringBuilder();
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("event:")) event = line.substring(6).trim();
                else if (line.startsWith("data:")) data.append(line.substring(5).trim());
                else if (line.isEmpty() && event != null) {
                    JsonNode d = parse(data.toString());
                    if (event.equals("progress")) {
                        if (json) out.println(d);
                        else if (terminal) System.err.print("\r" + bar.render(d.path("iteration").asInt(), d.path("residual").asDouble(), d.path("elapsedMs").asLong()));
                    } else if (event.equals("result")) {
                        if (terminal && !json) System.err.println();
                        return finish(d);
                    }
                    event = null;
                    data.setLength(0);
                }
            }
        }
        return status(id);
    }

    private int status(String id) throws IOException, InterruptedException {
        HttpResponse<String> r = get("/v1/jobs/" + enc(id));
        JsonNode d = parse(r.body());
        if (r.statusCode() == 404) {
            print(d);
            return FAILED;
        }
        return finish(d);
    }

    private static int finishStatus(int kafkaCode) {
        return switch (kafkaCode) {
            case KafkaSubmission.REJECTED_CODE -> REJECTED;
            case KafkaSubmission.STOPPED_CODE -> STOPPED;
            case KafkaSubmission.UNREACHABLE_CODE -> UNREACHABLE;
            default -> FAILED;
        };
    }

    private int finish(JsonNode result) {
        print(result);
        return switch (result.path("status").asText()) {
            case "succeeded" -> OK;
            case "rejected" -> REJECTED;
            case "cancelled", "timed_out" -> STOPPED;
            case "failed" -> FAILED;
            default -> RUNNING;
        };
    }

    private int backends() throws IOException, InterruptedException {
        JsonNode d = parse(get("/v1/backends").body());
        if (json) {
            out.println(d);
            return OK;
        }
        out.printf("%-16s %-9s %6s %7s  %s%n", "backend", "available", "queued", "running", "device / reason");
        for (JsonNode b : d) {
            String what = b.path("available").asBoolean() ? b.path("device").asText() : b.path("reason").asText();
            out.printf("%-16s %-9s %6d %7d  %s%n", b.path("id").asText(), b.path("available").asBoolean(),
                    b.path("queued").asInt(), b.path("running").asInt(), what);
        }
        return OK;
    }

    private int tuning(String family) throws IOException, InterruptedException {
        HttpResponse<String> r = get("/v1/tuning/" + enc(family));
        out.println(json ? r.body() : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(parse(r.body())));
        return r.statusCode() == 200 ? OK : FAILED;
    }

    private void print(JsonNode d) {
        if (json) {
            out.println(d);
            return;
        }
        StringBuilder b = new StringBuilder();
        b.append(d.path("id").asText("?")).append("  ").append(d.path("status").asText("?"));
        if (d.has("backend")) b.append("  backend=").append(d.path("backend").asText());
        if (d.has("method")) b.append("  method=").append(d.path("method").asText());
        if (d.has("iterations")) b.append("  iterations=").append(d.path("iterations").asInt());
        if (d.has("residualNorm")) b.append(String.format(Locale.ROOT, "  residual=%.3e", d.path("residualNorm").asDouble()));
        if (d.has("timing")) b.append("  totalMs=").append(d.path("timing").path("totalMs").asLong());
        if (d.has("answer")) b.append("  answer=").append(abbreviate(d.path("answer").toString()));
        if (d.has("error")) b.append("\n  error ").append(d.path("error").path("code").asText()).append(": ").append(d.path("error").path("message").asText());
        out.println(b);
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 197) + "..." : s;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        refuseUnauthorized(r.statusCode(), r.body());
        return r;
    }

    /** Kiln answered 401: no API key, or one it does not know. */
    private static final class Unauthorized extends RuntimeException {
        Unauthorized(String message) { super(message); }
    }

    private static void refuseUnauthorized(int status, String body) {
        if (status != 401) return;
        JsonNode b = parse(body);
        throw new Unauthorized(b.path("error").path("message").asText("Kiln refused the request (401)"));
    }

    /** A request to {@code path} on the Kiln, with the API key when there is one (RFC 6750 §2.1). */
    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path));
        if (apiKey != null && !apiKey.isBlank()) b.header("Authorization", "Bearer " + apiKey.strip());
        return b;
    }

    private static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            return JSON.createObjectNode().put("status", "unknown").put("raw", s);
        }
    }

    /**
     * Reads an "n m" header then "i j w" lines (1-based), the layout of both the G-set and the
     * Beasley OR-Library files, into the wire form {@code {"n":..,"<list>":[[i,j,w],...]}}.
     */
    private static JsonNode pairsFromFile(Path f, String list) throws IOException {
        List<String> lines = Files.readAllLines(f, StandardCharsets.US_ASCII);
        ObjectNode q = JSON.createObjectNode();
        var terms = q.putArray(list);
        int k = 0;
        while (k < lines.size() && lines.get(k).isBlank()) k++;
        String[] head = lines.get(k++).trim().split("\\s+");
        q.put("n", Integer.parseInt(head[0]));
        for (; k < lines.size(); k++) {
            String[] t = lines.get(k).trim().split("\\s+");
            if (t.length < 3) continue;
            terms.addArray().add(Integer.parseInt(t[0]) - 1).add(Integer.parseInt(t[1]) - 1).add(Double.parseDouble(t[2]));
        }
        return q;
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String need(List<String> args, int i, String flag) {
        if (i >= args.size()) throw new IllegalArgumentException(flag + " needs a value");
        return args.get(i);
    }

    private int usage(String why) {
        System.err.println("kiln: " + why + " (./kiln help)");
        return USAGE;
    }
}
