package io.gochat.mq.kafka;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The commit rules of the Kafka consumer, on a fake clock and a recording committer: no broker. */
class CommitPolicyTest {
    private static final Duration INTERVAL = Duration.ofSeconds(5);
    private static final Duration INTERVAL_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration BUDGET = Duration.ofSeconds(10);

    private long now = 1_000_000_000L;
    private StopMode mode = StopMode.RUNNING;
    private final RecordingCommitter committer = new RecordingCommitter();
    private final CommitPolicy<String, Long> policy = new CommitPolicy<>(committer, INTERVAL, INTERVAL_TIMEOUT, BUDGET,
            () -> mode, () -> now, LoggerFactory.getLogger(CommitPolicyTest.class), "group-1");

    /** One call of the committer: what it was given, and when. */
    private record Call(Map<String, Long> offsets, Duration timeout, long at) {
    }

    /** Answers with the scripted attempts in turn (COMMITTED when none is left), each after its own effect. */
    private final class RecordingCommitter implements CommitPolicy.Committer<String, Long> {
        final List<Call> calls = new ArrayList<>();
        final Deque<CommitPolicy.Attempt> answers = new ArrayDeque<>();
        final Deque<Consumer<Call>> effects = new ArrayDeque<>();

        @Override
        public CommitPolicy.Attempt commit(Map<String, Long> offsets, Duration timeout) {
            Call call = new Call(Map.copyOf(offsets), timeout, now);
            calls.add(call);
            if (!effects.isEmpty()) {
                effects.poll().accept(call);
            }
            return answers.isEmpty() ? CommitPolicy.Attempt.COMMITTED : answers.poll();
        }

        void answer(CommitPolicy.Attempt attempt, Consumer<Call> effect) {
            answers.add(attempt);
            effects.add(effect);
        }
    }

    private void advance(Duration d) {
        now += d.toNanos();
    }

    @Test
    @DisplayName("what was processed is committed once the interval has passed, with the interval's timeout, and not before")
    void commitsOnTheInterval() {
        policy.processed("p0", 3L);
        policy.processed("p1", 7L);
        advance(INTERVAL.minusMillis(1));
        policy.commitIfDue();
        assertThat(committer.calls).as("commits before the interval").isEmpty();

        advance(Duration.ofMillis(1));
        policy.commitIfDue();
        assertThat(committer.calls).extracting(Call::offsets).containsExactly(Map.of("p0", 3L, "p1", 7L));
        assertThat(committer.calls.get(0).timeout()).isEqualTo(INTERVAL_TIMEOUT);
        assertThat(policy.pending()).as("pending after a successful commit").isEmpty();
    }

    @Test
    @DisplayName("the latest processed offset of a partition replaces the earlier one, and nothing is committed when nothing is pending")
    void latestOffsetWinsAndEmptyIsNotCommitted() {
        advance(INTERVAL);
        policy.commitIfDue();
        assertThat(committer.calls).as("commits of nothing").isEmpty();

        policy.processed("p0", 3L);
        policy.processed("p0", 9L);
        advance(INTERVAL);
        policy.commitIfDue();
        assertThat(committer.calls).extracting(Call::offsets).containsExactly(Map.of("p0", 9L));
    }

    @Test
    @DisplayName("a commit deferred by a rebalance is tried again right after the next poll, not an interval later")
    void rebalanceDefersToTheNextPoll() {
        policy.processed("p0", 3L);
        committer.answer(CommitPolicy.Attempt.REBALANCING, call -> { });
        advance(INTERVAL);
        policy.commitIfDue();
        policy.commitIfDue();
        assertThat(committer.calls).hasSize(2);
        assertThat(committer.calls.get(1).at()).as("retried without waiting").isEqualTo(committer.calls.get(0).at());
        assertThat(policy.pending()).isEmpty();
    }

    @Test
    @DisplayName("a failed commit keeps the offsets pending until the next interval, which commits them")
    void failedCommitKeepsOffsetsPending() {
        policy.processed("p0", 3L);
        committer.answer(new CommitPolicy.Attempt(CommitPolicy.Outcome.FAILED, "TimeoutException: broker away"), call -> { });
        advance(INTERVAL);
        policy.commitIfDue();
        assertThat(policy.pending()).containsExactly(Map.entry("p0", 3L));

        policy.commitIfDue();
        assertThat(committer.calls).as("retried before the interval").hasSize(1);
        advance(INTERVAL);
        policy.commitIfDue();
        assertThat(committer.calls).hasSize(2);
        assertThat(policy.pending()).isEmpty();
    }

    @Test
    @DisplayName("a commit refused because the member left the generation keeps the offsets pending and is not retried at once")
    void notInGenerationIsNotRetriedAtOnce() {
        policy.processed("p0", 3L);
        committer.answer(new CommitPolicy.Attempt(CommitPolicy.Outcome.NOT_IN_GENERATION, "CommitFailedException"), call -> { });
        advance(INTERVAL);
        policy.commitIfDue();
        policy.commitIfDue();
        assertThat(committer.calls).hasSize(1);
        assertThat(policy.pending()).containsExactly(Map.entry("p0", 3L));
    }

    @Test
    @DisplayName("revoked partitions: only their processed offsets are committed, then they are forgotten")
    void revokedPartitionsAreCommittedAndForgotten() {
        policy.processed("p0", 3L);
        policy.processed("p1", 7L);
        policy.revoked(List.of("p1", "p2"));
        assertThat(committer.calls).extracting(Call::offsets).containsExactly(Map.of("p1", 7L));
        assertThat(committer.calls.get(0).timeout()).as("a revocation commit gets the API timeout").isEqualTo(BUDGET);
        assertThat(policy.pending()).containsExactly(Map.entry("p0", 3L));
    }

    @Test
    @DisplayName("revoked partitions are forgotten even when their commit fails, so they never overwrite the new owner's progress")
    void revokedPartitionsAreForgottenWhenTheCommitFails() {
        policy.processed("p0", 3L);
        policy.processed("p1", 7L);
        committer.answer(new CommitPolicy.Attempt(CommitPolicy.Outcome.FAILED, "TimeoutException"), call -> { });
        policy.revoked(List.of("p1"));
        assertThat(policy.pending()).containsExactly(Map.entry("p0", 3L));

        committer.answer(CommitPolicy.Attempt.COMMITTED, call -> {
            throw new IllegalStateException("interrupted");
        });
        policy.processed("p2", 1L);
        assertThatThrownBy(() -> policy.revoked(List.of("p2"))).hasMessage("interrupted");
        assertThat(policy.pending()).as("after a revocation commit that threw").containsExactly(Map.entry("p0", 3L));

        advance(INTERVAL);
        policy.commitIfDue();
        assertThat(committer.calls.get(committer.calls.size() - 1).offsets()).isEqualTo(Map.of("p0", 3L));
    }

    @Test
    @DisplayName("lost partitions are forgotten without any commit")
    void lostPartitionsAreNeverCommitted() {
        policy.processed("p0", 3L);
        policy.processed("p1", 7L);
        policy.lost(List.of("p0"));
        assertThat(committer.calls).isEmpty();
        policy.commitOnClose();
        assertThat(committer.calls).extracting(Call::offsets).containsExactly(Map.of("p1", 7L));
    }

    @Test
    @DisplayName("the commits after a stop share one budget from the first of them: the final commit gets only what is left")
    void commitsAfterAStopShareOneBudget() {
        policy.processed("p0", 3L);
        policy.processed("p1", 7L);
        mode = StopMode.CLOSE;
        advance(Duration.ofSeconds(1)); // the budget starts with the first commit, not with the request
        committer.answer(CommitPolicy.Attempt.COMMITTED, call -> advance(Duration.ofSeconds(4)));
        policy.revoked(List.of("p0"));
        policy.commitOnClose();
        assertThat(committer.calls).extracting(Call::timeout).containsExactly(BUDGET, Duration.ofSeconds(6));
        assertThat(policy.pending()).isEmpty();
    }

    @Test
    @DisplayName("woken up to stop, a commit is tried again within the budget, and given up once the budget is used up")
    void wakeUpRetriesWithinTheBudgetOnly() {
        policy.processed("p0", 3L);
        mode = StopMode.CLOSE;
        committer.answer(CommitPolicy.Attempt.WOKEN_UP, call -> advance(Duration.ofSeconds(4)));
        committer.answer(CommitPolicy.Attempt.WOKEN_UP, call -> advance(Duration.ofSeconds(6)));
        policy.commitOnClose();
        assertThat(committer.calls).extracting(Call::timeout).containsExactly(BUDGET, Duration.ofSeconds(6));
        assertThat(policy.pending()).as("left to be delivered again").containsExactly(Map.entry("p0", 3L));

        policy.revoked(List.of("p0"));
        assertThat(committer.calls).as("a revocation commit after the budget ran out").hasSize(2);
    }

    @Test
    @DisplayName("woken up to stop during an interval commit, its retry gets what is left of its own timeout, not a fresh one")
    void wakeUpDuringAnIntervalCommitKeepsItsDeadline() {
        policy.processed("p0", 3L);
        advance(INTERVAL);
        committer.answer(CommitPolicy.Attempt.WOKEN_UP, call -> {
            mode = StopMode.CLOSE;
            advance(Duration.ofSeconds(1));
        });
        policy.commitIfDue();
        // the interval commit's own deadline (2 s from its start) is the earlier one
        assertThat(committer.calls).extracting(Call::timeout).containsExactly(INTERVAL_TIMEOUT, Duration.ofSeconds(1));
        assertThat(policy.pending()).isEmpty();
    }

    @Test
    @DisplayName("a crash gives up a commit under way and makes no further attempt, the final commit included")
    void crashStopsAllCommits() {
        policy.processed("p0", 3L);
        advance(INTERVAL);
        committer.answer(CommitPolicy.Attempt.WOKEN_UP, call -> mode = StopMode.CRASH);
        policy.commitIfDue();
        policy.revoked(List.of("p0"));
        policy.processed("p1", 1L);
        policy.commitOnClose();
        assertThat(committer.calls).hasSize(1);
    }

    @Test
    @DisplayName("after abandon() nothing is committed: not on close, not on revocation")
    void abandonStopsAllCommits() {
        policy.processed("p0", 3L);
        policy.processed("p1", 7L);
        policy.abandon();
        policy.commitOnClose();
        policy.revoked(List.of("p0", "p1"));
        assertThat(committer.calls).isEmpty();
    }
}
