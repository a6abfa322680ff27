package io.gochat.mq.otel;

import io.gochat.mq.Message;
import io.gochat.mq.config.MqConfig;
import io.gochat.mq.inmemory.InMemoryBroker;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link OtelObserver} on the in-memory transport; stored messages read from its default broker. */
class OtelInMemoryTest extends OtelTracingContract {
    @Override
    String transport() {
        return "inmemory";
    }

    @Override
    MqConfig config() {
        return MqConfig.builder().consumer(c -> c.autoOffsetReset("earliest")).build();
    }

    @Override
    List<Map<String, List<String>>> storedHeaders(String topic, int expected) {
        List<Message> stored = InMemoryBroker.getDefault().messages(topic);
        assertThat(stored).as("messages stored in " + topic).hasSizeGreaterThanOrEqualTo(expected);
        List<Map<String, List<String>>> all = new ArrayList<>();
        for (Message message : stored) {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            message.headers().forEach((name, value) ->
                    headers.put(name, new ArrayList<>(java.util.Collections.singletonList(
                            value == null ? null : new String(value, StandardCharsets.UTF_8)))));
            all.add(headers);
        }
        return all;
    }
}
