package dev.kiln.deploy.bench.routing;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Requests the embedded broker served, by type, from its JMX counters
 * ({@code kafka.network:type=RequestMetrics,name=RequestsPerSec,request=*}). Every request costs
 * the broker's network and handler threads a fixed amount whatever it carries, so requests per
 * job say how well the clients batch; records in per job by topic
 * ({@code kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=*}) say what each job
 * costs the log.
 */
final class BrokerRequests {
    private final Map<String, Long> start;

    private BrokerRequests(Map<String, Long> start) {
        this.start = start;
    }

    static BrokerRequests start() {
        return new BrokerRequests(counts());
    }

    /** Requests per job since {@link #start()}, busiest types first, as "Type:0.12". */
    String perJob(int jobs) {
        Map<String, Long> now = counts();
        return now.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - start.getOrDefault(e.getKey(), 0L)) / (double) jobs))
                .filter(e -> e.getValue() >= 0.005)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(e -> e.getKey() + ":" + String.format(java.util.Locale.ROOT, "%.2f", e.getValue()))
                .collect(java.util.stream.Collectors.joining(" "));
    }

    private static Map<String, Long> counts() {
        Map<String, Long> m = new TreeMap<>();
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            for (ObjectName n : server.queryNames(new ObjectName("kafka.network:type=RequestMetrics,name=RequestsPerSec,*"), null)) {
                Object c = server.getAttribute(n, "Count");
                if (c instanceof Number num) m.merge(n.getKeyProperty("request"), num.longValue(), Long::sum);
            }
            for (ObjectName n : server.queryNames(new ObjectName("kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=*"), null)) {
                Object c = server.getAttribute(n, "Count");
                if (c instanceof Number num) m.merge("records:" + n.getKeyProperty("topic"), num.longValue(), Long::sum);
            }
        } catch (javax.management.JMException e) {
            return new HashMap<>();
        }
        return m;
    }
}
