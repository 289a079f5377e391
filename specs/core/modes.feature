Feature: Verbose, pedantic and echo
  CONNECT options change what the server acknowledges, checks and echoes.

  @go:test/verbose_test.go:TestVerbosePing
  Scenario: verbose acknowledges CONNECT and answers PING
    Given client A connects with {"verbose":true,"pedantic":false}
    When client A sends "PING\r\n"
    Then client A receives exactly:
      """
      +OK
      PONG
      """

  Scenario: verbose acknowledges UNSUB
    Given client A connects with {"verbose":true,"pedantic":false}
    When client A sends "SUB foo 1\r\nUNSUB 1\r\n"
    Then client A receives exactly:
      """
      +OK
      +OK
      +OK
      """

  Scenario: pedantic refuses a wildcard publish subject but still accepts the message
    Given client A connects with {"verbose":false,"pedantic":true}
    When client A sends "PUB foo.* 2\r\nok\r\nPING\r\n"
    Then client A receives exactly:
      """
      -ERR 'Invalid Publish Subject'
      PONG
      """

  Scenario: pedantic refuses a publish subject with an empty token
    Given client A connects with {"verbose":false,"pedantic":true}
    When client A sends "PUB foo..bar 2\r\nok\r\nPING\r\n"
    Then client A receives exactly:
      """
      -ERR 'Invalid Publish Subject'
      PONG
      """

  Scenario: without pedantic a wildcard publish subject is not refused
    Given client A connects with {"verbose":false,"pedantic":false}
    When client A sends "PUB foo.* 2\r\nok\r\nPING\r\n"
    Then client A receives PONG

  Scenario: echo off keeps a client's own messages from it
    Given client A connects with {"verbose":false,"pedantic":false,"echo":false}
    When client A sends "SUB foo 1\r\nPUB foo 2\r\nok\r\nPING\r\n"
    Then client A receives PONG
    And client A receives nothing

  Scenario: echo off still delivers to other connections
    Given client A connects with {"verbose":false,"pedantic":false,"echo":false}
    And client B connects with {"verbose":false,"pedantic":false}
    When client B sends "SUB foo 1\r\nPING\r\n"
    And client B receives PONG
    And client A sends "PUB foo 2\r\nok\r\n"
    Then client B receives MSG on "foo" with payload "ok"

  Scenario: operations are case-insensitive
    Given client A connects
    When client A sends "connect {\"verbose\":false}\r\nsub foo 1\r\npub foo 2\r\nok\r\nping\r\n"
    Then client A receives exactly:
      """
      MSG foo 1 2
      ok
      PONG
      """
