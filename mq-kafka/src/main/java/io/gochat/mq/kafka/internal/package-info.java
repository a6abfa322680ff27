/**
 * Not API. Classes that Kafka instantiates by reflection and that must therefore be public;
 * they may change or disappear in any release.
 */
package io.gochat.mq.kafka.internal;
