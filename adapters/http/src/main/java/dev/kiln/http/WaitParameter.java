package dev.kiln.http;

import java.util.List;

/**
 * The {@code ?wait=ms} query parameter: how long a request may hold its answer back for the
 * job's result. Bounded so a forgotten client cannot pin a connection for ever.
 */
record WaitParameter(long millis) {
    /** Longest wait a request may ask for, in ms (5 minutes). */
    static final long MAX_MS = 300_000;
    /** No {@code wait} parameter: answer at once. */
    static final WaitParameter NONE = new WaitParameter(0);

    /**
     * Reads the parameter from the query's values for {@code wait}.
     *
     * @throws IllegalArgumentException with a message for the client when it is not one
     *                                  integer in [0, {@value #MAX_MS}]
     */
    static WaitParameter parse(List<String> values) {
        if (values == null || values.isEmpty()) return NONE;
        if (values.size() > 1) throw new IllegalArgumentException("wait: give it once, not " + values.size() + " times");
        String v = values.get(0).trim();
        long ms;
        try {
            ms = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("wait: must be an integer number of milliseconds in [0, " + MAX_MS
                    + "], was '" + clip(v) + "'");
        }
        if (ms < 0 || ms > MAX_MS) {
            throw new IllegalArgumentException("wait: must be in [0, " + MAX_MS + "] ms, was " + ms);
        }
        return new WaitParameter(ms);
    }

    boolean waits() { return millis > 0; }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
