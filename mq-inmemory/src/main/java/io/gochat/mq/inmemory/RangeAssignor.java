package io.gochat.mq.inmemory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Splits the partitions of each topic among the group members subscribed to it, the way Kafka's
 * {@code RangeAssignor} does: per topic, members in a fixed order each take a contiguous range,
 * and the first {@code partitions % members} take one more. The order is the order in which the
 * members joined, so the result is deterministic. Stateless.
 */
final class RangeAssignor {
    private RangeAssignor() {
    }

    /**
     * @param subscriptions each member, in join order, with the topics it subscribed to
     * @return the member that should own each partition, ordered by topic name then partition;
     *     partitions of topics nobody subscribed to are absent
     */
    static <M> Map<PartitionLog, M> assign(Map<M, ? extends Collection<Topic>> subscriptions) {
        Map<String, Topic> topics = new TreeMap<>();
        Map<String, List<M>> subscribers = new TreeMap<>();
        subscriptions.forEach((member, subscribed) -> {
            for (Topic topic : subscribed) {
                topics.putIfAbsent(topic.name(), topic);
                subscribers.computeIfAbsent(topic.name(), name -> new ArrayList<>()).add(member);
            }
        });
        Map<PartitionLog, M> owners = new LinkedHashMap<>();
        for (Topic topic : topics.values()) {
            List<M> members = subscribers.get(topic.name());
            int partitions = topic.partitionCount();
            int each = partitions / members.size();
            int extra = partitions % members.size();
            int next = 0;
            for (int m = 0; m < members.size(); m++) {
                int count = each + (m < extra ? 1 : 0);
                for (int i = 0; i < count; i++) {
                    owners.put(topic.partition(next++), members.get(m));
                }
            }
        }
        return owners;
    }
}
