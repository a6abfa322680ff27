/**
 * Not API: this library's own plumbing between {@code io.gochat.mq} and its transports. Public
 * only because Java offers no narrower way to share across packages and modules; anything here
 * may change or go in any release, without notice.
 *
 * <p>Application code must not use it: {@link io.gochat.mq.internal.MessageAccess} hands out a
 * message's own arrays (changing them changes the message behind every reader's back) and builds
 * received messages that claim whatever topic, partition, offset and timestamp it is told. A
 * transport uses it exactly where it reads a message to serialise it and where it builds a message
 * it has received, under the rules written on the class; {@code docs/contract.md} says what a
 * transport must keep.
 */
package io.gochat.mq.internal;
