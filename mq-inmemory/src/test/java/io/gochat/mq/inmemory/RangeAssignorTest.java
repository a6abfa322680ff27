package io.gochat.mq.inmemory;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Range assignor")
class RangeAssignorTest {
    private final Topic orders = new Topic("orders", 4, 10, Long.MAX_VALUE);
    private final Topic payments = new Topic("payments", 5, 10, Long.MAX_VALUE);
    private final Topic audit = new Topic("audit", 3, 10, Long.MAX_VALUE);

    @Test
    @DisplayName("splits a topic's partitions into contiguous ranges in join order")
    void evenSplit() {
        Map<String, List<Topic>> subscriptions = new LinkedHashMap<>();
        subscriptions.put("a", List.of(orders));
        subscriptions.put("b", List.of(orders));

        assertThat(byMember(RangeAssignor.assign(subscriptions)))
                .containsExactly(Map.entry("a", List.of("orders-0", "orders-1")), Map.entry("b", List.of("orders-2", "orders-3")));
    }

    @Test
    @DisplayName("gives the extra partitions to the members that joined first")
    void unevenSplit() {
        Map<String, List<Topic>> subscriptions = new LinkedHashMap<>();
        subscriptions.put("late-name-but-first", List.of(payments));
        subscriptions.put("a", List.of(payments));

        assertThat(byMember(RangeAssignor.assign(subscriptions))).containsExactly(
                Map.entry("late-name-but-first", List.of("payments-0", "payments-1", "payments-2")),
                Map.entry("a", List.of("payments-3", "payments-4")));
    }

    @Test
    @DisplayName("leaves members beyond the partition count without partitions")
    void moreMembersThanPartitions() {
        Map<String, List<Topic>> subscriptions = new LinkedHashMap<>();
        for (String member : List.of("m1", "m2", "m3", "m4")) {
            subscriptions.put(member, List.of(audit));
        }

        Map<String, List<String>> assigned = byMember(RangeAssignor.assign(subscriptions));
        assertThat(assigned).containsExactly(Map.entry("m1", List.of("audit-0")), Map.entry("m2", List.of("audit-1")),
                Map.entry("m3", List.of("audit-2")));
    }

    @Test
    @DisplayName("splits each topic only among the members subscribed to it")
    void perTopicSubscribers() {
        Map<String, List<Topic>> subscriptions = new LinkedHashMap<>();
        subscriptions.put("a", List.of(orders, audit));
        subscriptions.put("b", List.of(orders));
        subscriptions.put("c", List.of(audit));

        Map<PartitionLog, String> owners = RangeAssignor.assign(subscriptions);
        assertThat(owners.keySet()).extracting(PartitionLog::toString).containsExactly(
                "audit-0", "audit-1", "audit-2", "orders-0", "orders-1", "orders-2", "orders-3");
        assertThat(byMember(owners)).containsOnly(
                Map.entry("a", List.of("audit-0", "audit-1", "orders-0", "orders-1")),
                Map.entry("b", List.of("orders-2", "orders-3")),
                Map.entry("c", List.of("audit-2")));
    }

    @Test
    @DisplayName("gives the same answer for the same members and topics")
    void deterministic() {
        Map<String, List<Topic>> subscriptions = new LinkedHashMap<>();
        subscriptions.put("x", List.of(payments, orders));
        subscriptions.put("y", List.of(orders, payments));
        subscriptions.put("z", List.of(payments));

        assertThat(RangeAssignor.assign(subscriptions)).isEqualTo(RangeAssignor.assign(new LinkedHashMap<>(subscriptions)));
    }

    @Test
    @DisplayName("assigns nothing to an empty group")
    void emptyGroup() {
        assertThat(RangeAssignor.assign(Map.<String, List<Topic>>of())).isEmpty();
    }

    private static Map<String, List<String>> byMember(Map<PartitionLog, String> owners) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        owners.forEach((log, member) -> out.computeIfAbsent(member, m -> new ArrayList<>()).add(log.toString()));
        return out;
    }
}
