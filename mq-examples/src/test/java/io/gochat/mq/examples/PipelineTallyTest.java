package io.gochat.mq.examples;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelineTallyTest {

    @Test
    @DisplayName("message numbers are spread over users in turn, each user's sequence counting from 1")
    void numbering() {
        PipelineTally tally = new PipelineTally(10, 3, 2);

        assertThat(tally.userOf(0)).isZero();
        assertThat(tally.seqOf(0)).isEqualTo(1);
        assertThat(tally.userOf(4)).isEqualTo(1);
        assertThat(tally.seqOf(4)).isEqualTo(2);
    }

    @Test
    @DisplayName("a message received again is a duplicate, not an order violation")
    void redeliveryIsADuplicate() {
        PipelineTally tally = new PipelineTally(9, 1, 2);
        tally.received(0, 0, 1, 10);
        tally.received(0, 0, 2, 10);
        tally.received(0, 0, 3, 10);
        // a rebalance hands the partition to member 1, which starts again from the last commit
        tally.received(1, 0, 2, 10);
        tally.received(1, 0, 3, 10);
        tally.received(1, 0, 4, 10);

        assertThat(tally.unique()).isEqualTo(4);
        assertThat(tally.duplicates()).isEqualTo(2);
        assertThat(tally.violations()).isZero();
        assertThat(tally.receivedBy(0)).isEqualTo(3);
        assertThat(tally.receivedBy(1)).isEqualTo(3);
    }

    @Test
    @DisplayName("a new message older than one already processed for the same user is an order violation")
    void overtakingIsAViolation() {
        PipelineTally tally = new PipelineTally(9, 1, 1);
        tally.received(0, 0, 1, 10);
        tally.received(0, 0, 3, 10);
        tally.received(0, 0, 2, 10);

        assertThat(tally.violations()).isEqualTo(1);
        assertThat(tally.duplicates()).isZero();
        assertThat(tally.unique()).isEqualTo(3);
    }

    @Test
    @DisplayName("users are independent: interleaving two users' messages breaks no order")
    void usersAreIndependent() {
        PipelineTally tally = new PipelineTally(6, 2, 1);
        tally.received(0, 1, 1, 10);
        tally.received(0, 1, 2, 10);
        tally.received(0, 0, 1, 10);
        tally.received(0, 1, 3, 10);
        tally.received(0, 0, 2, 10);

        assertThat(tally.violations()).isZero();
        assertThat(tally.unique()).isEqualTo(5);
    }

    @Test
    @DisplayName("latencies are kept once per message and quantiles use the nearest rank")
    void latencies() {
        PipelineTally tally = new PipelineTally(4, 1, 1);
        tally.received(0, 0, 1, 40);
        tally.received(0, 0, 2, 10);
        tally.received(0, 0, 2, 99);
        tally.received(0, 0, 3, 30);
        tally.received(0, 0, 4, 20);

        long[] sorted = tally.sortedLatencies();
        assertThat(sorted).containsExactly(10, 20, 30, 40);
        assertThat(PipelineTally.quantile(sorted, 0.5)).isEqualTo(20);
        assertThat(PipelineTally.quantile(sorted, 0.99)).isEqualTo(40);
        assertThat(PipelineTally.quantile(new long[0], 0.5)).isZero();
    }

    @Test
    @DisplayName("a receipt that names no message sent by this run is refused")
    void unknownMessage() {
        PipelineTally tally = new PipelineTally(4, 2, 1);

        assertThatThrownBy(() -> tally.received(0, 0, 3, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tally.received(0, 2, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
