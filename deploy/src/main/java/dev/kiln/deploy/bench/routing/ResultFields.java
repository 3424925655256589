package dev.kiln.deploy.bench.routing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * The few fields of a result the tiny case adds up (backend, timing.totalMs, timing.solveMs),
 * read with Jackson's streaming parser: the bench's reader shares the machine with Kiln and
 * the broker, and building a tree of every result cost it about a tenth of the process's
 * samples (measured here: JFR of {@code ./kiln bench routing --quick --case tiny}).
 */
record ResultFields(String backend, double totalMs, double solveMs) {
    private static final JsonFactory JSON = new JsonFactory();

    /** The fields, or backend "unreadable" and zeros when the document does not parse. */
    static ResultFields of(byte[] doc) {
        String backend = "none";
        double total = 0;
        double solve = 0;
        try (JsonParser p = JSON.createParser(doc)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return new ResultFields("unreadable", 0, 0);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("backend".equals(name) && value == JsonToken.VALUE_STRING) {
                    backend = p.getText();
                } else if ("timing".equals(name) && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String t = p.currentName();
                        p.nextToken();
                        if ("totalMs".equals(t)) total = p.getValueAsDouble();
                        else if ("solveMs".equals(t)) solve = p.getValueAsDouble();
                        else p.skipChildren();
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return new ResultFields("unreadable", 0, 0);
        }
        return new ResultFields(backend, total, solve);
    }
}
