package io.gochat.mq.inmemory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The coordinator of one consumer group: who is a member, which partitions each member should
 * own, which it actually owns, and the committed offsets.
 *
 * <p><b>Hand-over protocol.</b> A membership change recomputes the target assignment
 * ({@link RangeAssignor}) and asks every member to {@link #sync}. A member syncs on its own
 * subscribe thread between two messages: it commits and releases the partitions it should no
 * longer own, and takes the targeted partitions that are free, starting at their committed
 * offset. A partition still owned by another member is taken when that member releases it (the
 * release asks the new owner to sync again). So a partition has at most one owner at a time, the
 * old owner's message in hand finishes first, and the new owner starts exactly after the last
 * processed message: a rebalance loses nothing and repeats nothing. A crashed member is removed
 * without a commit, so the next owner repeats what it processed since its last commit.
 *
 * <p>Every method takes this group's monitor; the lock is held for bookkeeping only, never
 * while a callback runs. Commits are fenced: only the current owner of a partition can commit it.
 */
final class ConsumerGroup {
    private final String id;
    // all guarded by this
    private final Map<InMemoryConsumer, List<Topic>> members = new LinkedHashMap<>();
    private Map<PartitionLog, InMemoryConsumer> targets = Map.of();
    private final Map<PartitionLog, InMemoryConsumer> owners = new HashMap<>();
    private final Map<PartitionLog, Long> committed = new HashMap<>();
    private int generation;
    /** Told after ownership changed, with this group's monitor held; must not take other group locks. */
    private final Runnable ownershipChanged;

    ConsumerGroup(String id, Runnable ownershipChanged) {
        this.id = id;
        this.ownershipChanged = ownershipChanged;
    }

    String id() {
        return id;
    }

    /** Adds {@code member} with its subscription and rebalances. */
    synchronized void join(InMemoryConsumer member, List<Topic> subscription) {
        members.put(member, List.copyOf(subscription));
        rebalance();
        member.log().atInfo()
                .setMessage("consumer joined group")
                .addKeyValue("group", id)
                .addKeyValue("member", member.memberId())
                .addKeyValue("topics", subscription.stream().map(Topic::name).toList())
                .addKeyValue("generation", generation)
                .addKeyValue("members", members.size())
                .log();
    }

    /** The claims {@code member} holds but should no longer own: what its next {@link #sync} releases. */
    synchronized List<PartitionClaim> leaving(InMemoryConsumer member) {
        List<PartitionClaim> leaving = new ArrayList<>();
        if (members.containsKey(member)) {
            for (PartitionClaim claim : member.claims()) {
                if (targets.get(claim.log) != member) {
                    leaving.add(claim);
                }
            }
        }
        return leaving;
    }

    /**
     * Brings {@code member}'s claims in line with its target: commits and releases what it should
     * no longer own, takes what is targeted to it and free. Called on the member's subscribe
     * thread, between messages.
     */
    synchronized void sync(InMemoryConsumer member) {
        if (!members.containsKey(member)) {
            return;
        }
        PartitionClaim[] current = member.claims();
        List<PartitionClaim> kept = new ArrayList<>(current.length + 4);
        List<String> revoked = new ArrayList<>();
        for (PartitionClaim claim : current) {
            if (targets.get(claim.log) == member) {
                kept.add(claim);
            } else {
                release(member, claim);
                revoked.add(claim.log.toString());
            }
        }
        List<String> assigned = new ArrayList<>();
        targets.forEach((log, target) -> {
            if (target == member && !owners.containsKey(log)) {
                owners.put(log, member);
                kept.add(new PartitionClaim(log, startingPosition(member, log)));
                log.addWatcher(member);
                assigned.add(log.toString());
            }
        });
        if (revoked.isEmpty() && assigned.isEmpty()) {
            return;
        }
        member.claims(kept.toArray(new PartitionClaim[0]));
        ownershipChanged.run();
        member.log().atInfo()
                .setMessage("partitions rebalanced")
                .addKeyValue("group", id)
                .addKeyValue("member", member.memberId())
                .addKeyValue("generation", generation)
                .addKeyValue("revoked", revoked)
                .addKeyValue("assigned", assigned)
                .addKeyValue("owned", kept)
                .log();
    }

    private void release(InMemoryConsumer member, PartitionClaim claim) {
        commit(member, claim);
        owners.remove(claim.log, member);
        claim.log.removeWatcher(member);
        InMemoryConsumer next = targets.get(claim.log);
        if (next != null) {
            next.requestSync();
        }
    }

    /** Where a new owner starts: the committed offset, or the reset position, which is committed at once. */
    private long startingPosition(InMemoryConsumer member, PartitionLog log) {
        Long offset = committed.get(log);
        if (offset != null) {
            return offset;
        }
        // Committing the reset position makes a later owner (after a crash, say) start here too
        // instead of resetting again, which with "latest" would skip what arrived in between.
        long position = member.startsAtEarliest() ? log.startOffset() : log.endOffset();
        committed.put(log, position);
        return position;
    }

    /** Commits what {@code member} has processed on every partition it owns. */
    synchronized void commit(InMemoryConsumer member) {
        for (PartitionClaim claim : member.claims()) {
            commit(member, claim);
        }
    }

    private void commit(InMemoryConsumer member, PartitionClaim claim) {
        if (owners.get(claim.log) != member || member.isFenced() || claim.position == claim.committed) {
            return;
        }
        committed.put(claim.log, claim.position);
        claim.committed = claim.position;
        member.committed(claim);
    }

    /** A clean leave: commits, releases every partition, removes the member and rebalances. */
    synchronized void leave(InMemoryConsumer member) {
        if (!members.containsKey(member)) {
            return;
        }
        commit(member);
        remove(member);
        member.log().atInfo()
                .setMessage("consumer left group")
                .addKeyValue("group", id)
                .addKeyValue("member", member.memberId())
                .addKeyValue("committed", List.of(member.claims()))
                .addKeyValue("generation", generation)
                .addKeyValue("members", members.size())
                .log();
    }

    /**
     * Removes {@code member} without committing anything, as the group coordinator does with a
     * member that crashed or stopped answering. Callable from any thread.
     *
     * @return whether it was a member
     */
    synchronized boolean evict(InMemoryConsumer member) {
        if (!members.containsKey(member)) {
            return false;
        }
        remove(member);
        return true;
    }

    private void remove(InMemoryConsumer member) {
        members.remove(member);
        owners.entrySet().removeIf(e -> {
            if (e.getValue() == member) {
                e.getKey().removeWatcher(member);
                return true;
            }
            return false;
        });
        rebalance();
        ownershipChanged.run();
    }

    private void rebalance() {
        generation++;
        targets = RangeAssignor.assign(members);
        for (InMemoryConsumer member : members.keySet()) {
            member.requestSync();
        }
    }

    /** Member ids in join order. */
    synchronized List<String> memberIds() {
        List<String> ids = new ArrayList<>(members.size());
        members.keySet().forEach(m -> ids.add(m.memberId()));
        return ids;
    }

    /** What each member owns now, as {@code topic-partition}, members in join order. */
    synchronized Map<String, List<String>> ownership() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        members.keySet().forEach(m -> out.put(m.memberId(), new ArrayList<>()));
        targets.keySet().forEach(log -> {
            InMemoryConsumer owner = owners.get(log);
            if (owner != null) {
                out.get(owner.memberId()).add(log.toString());
            }
        });
        out.replaceAll((member, partitions) -> List.copyOf(partitions));
        return out;
    }

    /**
     * Why the group is not settled, or {@code null} when it is: it has a member, and every
     * partition of the members' subscriptions is owned by the member the assignment targets it to
     * (so each has its starting offset fixed and gets every message appended from now on).
     */
    synchronized String unsettledReason() {
        if (members.isEmpty()) {
            return "it has no member (has subscribe been called?)";
        }
        List<String> waiting = new ArrayList<>();
        targets.forEach((log, target) -> {
            if (owners.get(log) != target) {
                waiting.add(log.toString());
            }
        });
        if (waiting.isEmpty()) {
            return null;
        }
        waiting.sort(null);
        return "partitions " + waiting + " are not yet taken by their new owner";
    }

    synchronized OptionalLong committed(PartitionLog log) {
        Long offset = committed.get(log);
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    @Override
    public synchronized String toString() {
        return "ConsumerGroup{" + id + ", generation=" + generation + ", members=" + memberIds() + '}';
    }
}
