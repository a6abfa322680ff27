package io.gochat.mq.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proof that each contract test can fail, and fails when the behaviour it names is broken: the
 * suite runs against the toy transport with one {@link Fault} at a time, and the tests that name
 * that behaviour must be among the failures — every time, whatever the threads' timing (each
 * expectation is caught for a reason that does not depend on scheduling; {@code bin/selftest-under-load}
 * runs this class repeatedly on busy cores to show it). Every contract test must be expected to
 * fail on at least one fault. (That the same suite passes on the correct toy is
 * {@link ToyCompatibilityTest}.)
 */
class ContractSuiteSelfTest {
    private static final Logger LOG = LoggerFactory.getLogger(ContractSuiteSelfTest.class);

    /** Every contract test, by method name, and the {@code @Nested} group that declares it. */
    private static final Map<String, Class<?>> CONTRACT_TESTS = contractTests();

    /** A fault and the contract tests that must fail with it; the suite runs the groups of those tests. */
    private record Case(Fault fault, Set<String> mustFail) {
        static Case of(Fault fault, String... mustFail) {
            return new Case(fault, new LinkedHashSet<>(Arrays.asList(mustFail)));
        }

        List<Class<?>> groups() {
            return mustFail.stream().map(CONTRACT_TESTS::get).distinct().collect(Collectors.toList());
        }
    }

    private static final List<Case> CASES = List.of(
            // producer and broker
            Case.of(Fault.DROP_EVERY_100TH, "oneGroupSharesTheWork", "closeFlushes", "manyProducersManyMembers"),
            Case.of(Fault.REORDER, "perKeyOrderInAGroup", "mixedAsyncAndSyncKeepOrder", "manyProducersManyMembers"),
            Case.of(Fault.IGNORE_KEY, "perKeyOrderInAGroup", "keysLandWhereKafkaPutsThem"),
            Case.of(Fault.WRONG_HASH, "keysLandWhereKafkaPutsThem"),
            // each sender goes on sending after close() returned, so closeWithConcurrentSenders always has such sends
            Case.of(Fault.SEND_AFTER_CLOSE_SUCCEEDS, "sendAfterCloseFailsThroughCallback", "sendSyncAfterCloseThrows",
                    "closeWithConcurrentSenders", "producerCloseTwice"),
            // in closeWithConcurrentSenders more than 150 sends are accepted before close(), which waits for their callbacks
            Case.of(Fault.CALLBACK_TWICE, "sendCallsBackExactlyOnce", "closeWithConcurrentSenders"),
            // not closeWithConcurrentSenders: whether close() finds the toy's 64-message buffer non-empty depends on timing
            Case.of(Fault.CLOSE_DROPS_BUFFER, "closeFlushes"),
            Case.of(Fault.LOSE_WHILE_DOWN, "restartLosesNothingAcknowledged"),
            Case.of(Fault.NO_ARGUMENT_CHECKS, "sendNullCallback"),
            Case.of(Fault.UNNAMED_ARGUMENT_ERRORS, "sendNullMessage", "sendNullCallback", "sendSyncNullMessage",
                    "subscribeNullTopics", "subscribeEmptyTopics", "subscribeNullTopicInList", "subscribeBlankTopicInList",
                    "subscribeNullCallback", "createTopicRejectsBadArguments"),
            Case.of(Fault.INVALID_TOPIC_ACCEPTED, "refusedSendFails", "createTopicRefusedByTheBroker"),
            Case.of(Fault.SEND_CALLBACK_FAILURE_NOT_LOGGED, "throwingSendCallbackIsContained"),
            Case.of(Fault.MDC_OVERRIDES_EXPLICIT_HEADER, "explicitHeaderWins"),
            Case.of(Fault.EXTRA_HEADER, "nothingIsAddedToHeaders", "bytesArriveExactly"),
            Case.of(Fault.SYNC_SEND_BUFFERED, "sendSyncDelivers"),
            Case.of(Fault.STICKY_TOPIC, "topicsAreIsolated"),
            Case.of(Fault.CREATE_EXISTING_TOPIC_FAILS, "createTopicTwice"),
            Case.of(Fault.EXTRA_PARTITION, "partitionsHonoured"),
            // what the consumer hands over
            Case.of(Fault.EMPTY_AS_NULL, "bytesArriveExactly", "emptyIsNotNull"),
            Case.of(Fault.NULL_AS_EMPTY, "nullValueArrivesAsNull", "nullKeyArrivesAsNull", "bytesArriveExactly"),
            Case.of(Fault.TRUNCATE_LARGE_VALUES, "largeValueArrivesIntact"),
            Case.of(Fault.HEADER_NAMES_LOWER_CASED, "headerNamesAndOrderAreKept"),
            Case.of(Fault.HEADERS_SORTED, "headerNamesAndOrderAreKept"),
            Case.of(Fault.DELIVERY_TIME_AS_TIMESTAMP, "timestampIsTheStoredOne"),
            Case.of(Fault.OFFSETS_FROM_ONE, "receivedMessagesCarryTheirPosition"),
            Case.of(Fault.OFFSET_IN_BATCH, "offsetsIncreaseStrictlyPerPartition"),
            Case.of(Fault.REUSED_VALUE_BUFFER, "arraysAreNotShared"),
            // consumer groups and commits; a partition's data messages have consecutive offsets, so 75 or
            // more of them on one partition always include a 50th
            Case.of(Fault.DUPLICATE_EVERY_50TH, "oneGroupSharesTheWork", "perKeyOrderInAGroup", "manyProducersManyMembers"),
            Case.of(Fault.BROADCAST, "oneGroupSharesTheWork"),
            Case.of(Fault.GROUP_ID_CASE_INSENSITIVE, "groupIdsAreCaseSensitive"),
            Case.of(Fault.GROUP_ID_IGNORED, "twoGroupsEachGetEverything", "groupIdsAreCaseSensitive"),
            Case.of(Fault.ONLY_FIRST_TOPIC, "severalTopicsInOneSubscribe"),
            Case.of(Fault.REPEATED_TOPIC_TWICE, "repeatedTopicIsConsumedOnce"),
            Case.of(Fault.COMMIT_BEFORE_PROCESSING, "crashBeforeCommitRedelivers"),
            Case.of(Fault.NO_INTERVAL_COMMIT, "intervalCommitSurvivesACrash"),
            Case.of(Fault.NO_COMMIT_ON_CLOSE, "cleanHandOff", "closeWaitsForTheMessageInHand"),
            Case.of(Fault.NO_COMMIT_ON_REVOKE, "joinTakesOverWithoutRepeats"),
            Case.of(Fault.CRASH_COMMITS, "crashBeforeCommitRedelivers"),
            // whichever partitions the departed member had, messages keyed to every partition follow
            // (in both churn tests the first member always has partition 0, where key-1 goes)
            Case.of(Fault.DEPARTED_MEMBER_KEEPS_PARTITIONS, "crashMidStreamLosesNothing", "cleanLeaveHandsOver",
                    "churnLosesNothing", "parallelChurnLosesNothing"),
            Case.of(Fault.IGNORE_EARLIEST, "earliestReadsHistory"),
            Case.of(Fault.IGNORE_LATEST, "latestSkipsHistory"),
            Case.of(Fault.IGNORE_COMMITTED, "latestDoesNotSkipCommitted", "cleanHandOff"),
            // callbacks, close and subscribe
            Case.of(Fault.STOP_ON_CALLBACK_ERROR, "throwingCallbackIsSkippedNotRetried"),
            Case.of(Fault.RETRY_FAILED_CALLBACK, "throwingCallbackIsSkippedNotRetried"),
            Case.of(Fault.NO_ERROR_LOG, "callbackFailureIsLoggedWithPosition"),
            Case.of(Fault.FAILURE_LOG_WITHOUT_TRACE_ID, "callbackFailureIsLoggedWithPosition"),
            Case.of(Fault.NO_TRACE, "mdcBecomesHeader", "headerBecomesMdcDuringTheCallback"),
            Case.of(Fault.MDC_KEPT_AFTER_THROWING_CALLBACK, "headerBecomesMdcDuringTheCallback"),
            Case.of(Fault.CLOSE_TWICE_THROWS, "producerCloseTwice", "consumerCloseTwice"),
            Case.of(Fault.CLOSE_INSIDE_DEADLOCKS, "closeFromInsideTheCallback", "cleanHandOff"),
            Case.of(Fault.INTERRUPT_COUNTS_AS_PROCESSED, "interruptDuringCallback"),
            Case.of(Fault.SUBSCRIBE_ANY_TIME, "subscribeTwice", "subscribeAfterClose", "subscribeAfterSubscribeEnded"),
            // parallel consumption: each fault breaks the same messages whatever the workers' timing. The
            // toy fetches a partition's 3000-message share in batches, so each batch holds several messages of a key
            Case.of(Fault.BATCH_SUBMITTED_REVERSED, "parallelPerKeyOrder"),
            // the first message of a key waits for the other keys' first ones, so its own second one runs meanwhile
            Case.of(Fault.LANES_IGNORE_KEY, "sameKeyNeverOverlaps"),
            Case.of(Fault.ONE_LANE_PER_PARTITION, "differentKeysRunAtOnce", "sameKeyNeverOverlaps",
                    "parallelCloseWaitsAndCommits"),
            // both tests finish later offsets of the stuck message's partition before an interval commit
            Case.of(Fault.COMMIT_HIGHEST_COMPLETED, "slowMessageHoldsTheCommit", "parallelCrashLosesNothing"),
            // the held partition's 100 messages are started, in the workers' queue, before the other partition's
            Case.of(Fault.WINDOW_IGNORED, "stuckKeyHoldsOnlyItsPartition"),
            Case.of(Fault.FULL_PARTITION_STOPS_ALL, "stuckKeyHoldsOnlyItsPartition"),
            Case.of(Fault.CLOSE_WITHOUT_WAITING, "parallelCloseWaitsAndCommits"),
            // one key's messages, fetched together, run on one worker in a row: traced, untraced, traced, ...
            Case.of(Fault.WORKER_STALE_TRACE_ID, "traceIdOnWorkerThreads"),
            // retry and dead letter: each fault changes which callbacks run or what is written, not when
            Case.of(Fault.NO_RETRY, "retriedUntilItSucceeds", "alwaysFailingIsDeadLetteredOnce"),
            Case.of(Fault.DEAD_LETTER_WITHOUT_PROVENANCE, "alwaysFailingIsDeadLetteredOnce"),
            Case.of(Fault.PERMANENT_RETRIED, "permanentFailureIsNotRetried"),
            // the backoff is four times the await's timeout: the other keys wait behind it for longer than that
            Case.of(Fault.RETRY_BLOCKS_PARTITION, "otherKeysGoOnDuringBackoff"),
            Case.of(Fault.DEAD_LETTER_HEADERS_APPENDED, "deadLetterHeadersDoNotGrow"),
            // observers: without events nothing is recorded, and ConsumerHealth never sees the consumer ready
            Case.of(Fault.OBSERVER_IGNORED, "sendsAndCallbacksAreObserved", "sendsAreToldWhereStored", "commitsAndAssignmentsAreObserved",
                    "healthTellsStuckFromIdle"),
            Case.of(Fault.OBSERVER_HEADERS_DROPPED, "observerHeadersAreSent"),
            Case.of(Fault.SEND_LOCATION_NOT_OBSERVED, "sendsAreToldWhereStored"),
            // the observer throws from sendStarted: every send throws to its caller
            Case.of(Fault.OBSERVER_UNGUARDED, "throwingObserverBreaksNothing"),
            // stuckAfter passes while idle, with no sign of life
            Case.of(Fault.POLL_NOT_OBSERVED, "healthTellsStuckFromIdle"));

    @Test
    @DisplayName("every contract test is expected to fail on at least one fault, and every fault has a case")
    void everyContractTestIsProvenAbleToFail() {
        assertThat(CASES.stream().map(Case::fault).collect(Collectors.toList()))
                .as("faults of the cases").containsExactlyInAnyOrder(Fault.values());
        Set<String> expected = CASES.stream().flatMap(c -> c.mustFail().stream()).collect(Collectors.toSet());
        assertThat(CONTRACT_TESTS.keySet()).as("names used by the cases").containsAll(expected);
        Set<String> unproven = new TreeSet<>(CONTRACT_TESTS.keySet());
        unproven.removeAll(expected);
        assertThat(unproven).as("contract tests that no fault is expected to fail (of %d)", CONTRACT_TESTS.size())
                .isEmpty();
    }

    @TestFactory
    @DisplayName("each fault makes the contract tests that name it fail")
    Stream<DynamicTest> eachFaultIsCaught() {
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "self-test");
            t.setDaemon(true);
            return t;
        });
        List<CompletableFuture<Set<String>>> runs = new ArrayList<>();
        for (Case c : CASES) {
            runs.add(CompletableFuture.supplyAsync(() -> failedTests(c), pool));
        }
        pool.shutdown();
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < CASES.size(); i++) {
            Case c = CASES.get(i);
            CompletableFuture<Set<String>> run = runs.get(i);
            tests.add(DynamicTest.dynamicTest("the suite catches " + c.fault(), () ->
                    assertThat(run.join()).as("failed contract tests with %s", c.fault()).containsAll(c.mustFail())));
        }
        return tests.stream();
    }

    private static Set<String> failedTests(Case c) {
        EngineExecutionResults results = BrokenToySuite.run(c.fault().name(), Map.of(),
                c.groups().stream().map(BrokenToySuite::group).toArray(DiscoverySelector[]::new));
        long inGroups = CONTRACT_TESTS.values().stream().filter(c.groups()::contains).count();
        assertThat(results.testEvents().started().count())
                .as("tests run with %s in %s (a filter of the outer run must not reach this one)", c.fault(), c.groups())
                .isEqualTo(inGroups);
        results.testEvents().failed().stream().forEach(event -> LOG.atInfo()
                .setMessage("contract test failed as it should")
                .addKeyValue("fault", c.fault())
                .addKeyValue("test", event.getTestDescriptor().getDisplayName())
                .addKeyValue("reason", event.getPayload(TestExecutionResult.class)
                        .flatMap(TestExecutionResult::getThrowable)
                        .map(e -> String.valueOf(e.getMessage()).lines().limit(3).collect(Collectors.joining(" | ")))
                        .orElse("?"))
                .log());
        assertThat(results.testEvents().failed().stream()
                .map(event -> event.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
                        .map(Throwable::getMessage).orElse("")))
                .as("failure messages with %s: each starts with the promise its test names", c.fault())
                .allSatisfy(message -> assertThat(message).startsWith(BrokenPromiseReport.PREFIX).contains(" — broken.\n"));
        return results.testEvents().failed().stream()
                .map(event -> event.getTestDescriptor())
                .map(TestDescriptor::getSource)
                .flatMap(source -> source.stream())
                .filter(MethodSource.class::isInstance)
                .map(source -> ((MethodSource) source).getMethodName())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Map<String, Class<?>> contractTests() {
        Map<String, Class<?>> tests = new LinkedHashMap<>();
        for (Class<?> group : TransportCompatibilityKit.class.getDeclaredClasses()) {
            if (!group.isAnnotationPresent(Nested.class)) {
                continue;
            }
            for (Method method : group.getDeclaredMethods()) {
                if (method.isAnnotationPresent(Test.class)) {
                    Class<?> before = tests.put(method.getName(), group);
                    if (before != null) {
                        throw new IllegalStateException("two contract tests are named " + method.getName() + ": in "
                                + before.getSimpleName() + " and " + group.getSimpleName()
                                + "; the self-test needs unique names");
                    }
                }
            }
        }
        return tests;
    }
}
