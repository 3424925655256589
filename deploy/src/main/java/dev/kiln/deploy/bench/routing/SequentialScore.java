package dev.kiln.deploy.bench.routing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of a one-job-at-a-time routed run against the oracle's table ({@code
 * case=<world>-sequential}): regret on the medians and on the minima, per kind on the same job
 * numbers (the first 100 are the workload's first 100 whatever their kind), over the jobs that
 * had a choice (two or more capable backends: a job with one is never lost, and in the loaded
 * world the train jobs, none with a choice, were most of the oracle's total and diluted {@code
 * regret_pct}), exploration share, jobs left out because no backend of the world runs them.
 */
final class SequentialScore {
    static final List<String> KINDS = List.of("linear", "qubo", "train");

    private final int jobs;
    final Regret median;
    private final Regret min;
    private final Regret withChoice;
    private int choiceJobs;
    private final Map<String, Regret> byKind = new LinkedHashMap<>();
    private final Map<String, Integer> jobsByKind = new LinkedHashMap<>();
    private int explored;
    private int skipped;

    SequentialScore(int jobs) {
        this.jobs = jobs;
        this.median = new Regret(jobs);
        this.min = new Regret(jobs);
        this.withChoice = new Regret(jobs);
        for (String k : KINDS) {
            byKind.put(k, new Regret(jobs));
            jobsByKind.put(k, 0);
        }
    }

    /** Job j of {@code kind}, its oracle row, the backend index the router chose and whether it explored. */
    void add(int j, String kind, Oracle.Row row, int chosen, boolean explored) {
        if (!byKind.containsKey(kind)) throw new IllegalArgumentException("kind '" + kind + "' is not one of " + KINDS);
        median.add(j, row.median(), chosen);
        min.add(j, row.min(), chosen);
        byKind.get(kind).add(j, row.median(), chosen);
        jobsByKind.merge(kind, 1, Integer::sum);
        int capable = 0;
        for (double t : row.median()) if (Double.isFinite(t)) capable++;
        if (capable >= 2) {
            withChoice.add(j, row.median(), chosen);
            choiceJobs++;
        }
        if (explored) this.explored++;
    }

    /** Job j left out: no backend of the world runs it. */
    void skip() { skipped++; }

    /** The BENCH fields, with only_&lt;backend&gt; for each of {@code ids} (the table's columns). */
    Map<String, Object> fields(List<String> ids) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("jobs", jobs - skipped);
        f.put("skipped_no_backend", skipped);
        f.put("regret_pct", median.warmPct());
        f.put("regret_first100_pct", median.coldPct());
        for (Map.Entry<String, Regret> k : byKind.entrySet()) {
            f.put("regret_" + k.getKey() + "_pct", k.getValue().warmPct());
            f.put("regret_" + k.getKey() + "_first100_pct", k.getValue().coldPct());
            f.put("jobs_" + k.getKey(), jobsByKind.get(k.getKey()));
            // The kind's weight in the total: a kind whose jobs are short moves regret_pct little whatever its own figure.
            f.put("oracle_" + k.getKey() + "_ms", k.getValue().oracleMs());
        }
        f.put("regret_choice_pct", withChoice.warmPct());
        f.put("regret_choice_first100_pct", withChoice.coldPct());
        f.put("jobs_choice", choiceJobs);
        f.put("oracle_choice_ms", withChoice.oracleMs());
        f.put("regret_min_table_pct", min.warmPct());
        f.put("regret_min_table_first100_pct", min.coldPct());
        for (int b = 0; b < ids.size(); b++) f.put("only_" + ids.get(b) + "_regret_pct", median.alonePct(b));
        f.put("explore_pct", 100.0 * explored / Math.max(1, jobs - skipped));
        return f;
    }
}
