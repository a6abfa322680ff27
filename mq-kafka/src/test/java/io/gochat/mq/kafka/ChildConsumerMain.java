package io.gochat.mq.kafka;

import io.gochat.mq.Consumer;
import io.gochat.mq.Mq;
import io.gochat.mq.Option;
import io.gochat.mq.PermanentFailureException;
import io.gochat.mq.config.MqConfig;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A group member in a JVM of its own, for {@link ConsumerCrashTest}: consumes
 * {@code <topic>} as {@code <group>} from {@code <bootstrap>} and appends the value of every
 * message it handled to {@code <file>}, one line each, written before the callback returns (so a
 * SIGKILL loses no line of a handled message: the kernel holds what was written).
 *
 * <p>Arguments: {@code bootstrap topic group file [concurrency maxPendingPerPartition workMs
 * [deadLetterTopic failValue autoCommitIntervalMs]]}. With a dead-letter topic, the message whose
 * value is {@code failValue} fails with a {@link PermanentFailureException} after its line is
 * written, so the member publishes it to the dead-letter topic (with the producer defaults: a
 * missing topic holds {@code sendSync} for {@code max.block.ms}, 60 s).
 */
public final class ChildConsumerMain {
    private ChildConsumerMain() {
    }

    public static void main(String[] args) throws IOException {
        String bootstrap = args[0];
        String topic = args[1];
        String group = args[2];
        int concurrency = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        int maxPending = args.length > 5 ? Integer.parseInt(args[5]) : 1000;
        long workMs = args.length > 6 ? Long.parseLong(args[6]) : 2;
        String deadLetterTopic = args.length > 7 ? args[7] : "";
        String failValue = args.length > 8 ? args[8] : null;
        int commitIntervalMs = args.length > 9 ? Integer.parseInt(args[9]) : 500;
        MqConfig config = MqConfig.builder().source("child jvm")
                .common(c -> c.brokers(List.of(bootstrap.split(","))))
                .consumer(c -> c.autoOffsetReset("earliest").autoCommitIntervalMs(commitIntervalMs)
                        .sessionTimeoutMs(6000).heartbeatIntervalMs(1000)
                        .concurrency(concurrency).maxPendingPerPartition(maxPending).deadLetterTopic(deadLetterTopic))
                .build();
        Consumer consumer = Mq.newConsumer("crash-child", group, Option.withTransport("kafka"), Option.withConfig(config));
        try (FileOutputStream out = new FileOutputStream(args[3], true)) {
            consumer.subscribe(List.of(topic), message -> {
                byte[] line = (message.valueAsString() + "\n").getBytes(StandardCharsets.UTF_8);
                synchronized (out) { // one write per line, also from many workers
                    out.write(line);
                }
                // the handler's own latency (a database write, say), so the parent's kill lands mid-stream;
                // nothing waits on it: the parent watches the file's line count
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(workMs));
                if (message.valueAsString().equals(failValue)) {
                    throw new PermanentFailureException("child told to fail " + failValue);
                }
            });
        }
    }
}
