Feature: Queue groups and auto-unsubscribe
  One member of each queue group gets each message; UNSUB with a maximum removes a subscription after it.

  Background:
    Given client A connects with {"verbose":false,"pedantic":false}

  Scenario: a lone queue member gets every message
    When client A sends "SUB foo workers 1\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\n"
    Then client A receives MSG on "foo" with payload "a"
    And client A receives MSG on "foo" with payload "b"

  Scenario: a queue member and a plain subscriber each get a copy
    When client A sends "SUB foo workers 1\r\nSUB foo 2\r\nPUB foo 2\r\nok\r\nPING\r\n"
    Then client A receives 2 messages
    And client A receives PONG

  Scenario: two queue groups each get one copy
    When client A sends "SUB foo g1 1\r\nSUB foo g1 2\r\nSUB foo g2 3\r\nSUB foo g2 4\r\nPUB foo 2\r\nok\r\nPING\r\n"
    Then client A receives 2 messages
    And client A receives PONG

  @go:test/proto_test.go:TestUnsubMax
  Scenario: UNSUB with a maximum stops after that many messages
    When client A sends "SUB foo 22\r\nUNSUB 22 2\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nPUB foo 1\r\nc\r\nPING\r\n"
    Then client A receives exactly:
      """
      MSG foo 22 1
      a
      MSG foo 22 1
      b
      PONG
      """

  Scenario: UNSUB removes the subscription at once
    When client A sends "SUB foo 1\r\nUNSUB 1\r\nPUB foo 2\r\nok\r\nPING\r\n"
    Then client A receives PONG
    And client A receives nothing

  Scenario: UNSUB of an unknown sid is accepted silently
    When client A sends "UNSUB 99\r\nPING\r\n"
    Then client A receives PONG

  Scenario: a maximum already reached unsubscribes at once
    When client A sends "SUB foo 1\r\nPUB foo 1\r\na\r\nPING\r\n"
    And client A receives MSG on "foo" with payload "a"
    And client A receives PONG
    And client A sends "UNSUB 1 1\r\nPUB foo 1\r\nb\r\nPING\r\n"
    Then client A receives PONG
    And client A receives nothing

  Scenario: NATS.Client.Core queue subscribers share the messages
    Given nats client worker subscribes to "jobs" in queue group "pool"
    When nats client boss publishes "job-1" to "jobs"
    Then nats client worker receives "job-1" on "jobs"
