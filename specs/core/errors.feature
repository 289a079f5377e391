Feature: Protocol errors
  Every error path answers with Go's -ERR text and Go's choice of closing or keeping the connection.

  Background:
    Given client A connects with {"verbose":false,"pedantic":false}

  @go:test/proto_test.go:TestProtoErr
  Scenario: an unknown operation closes the connection
    When client A sends "ZZZ\r\n"
    Then client A is disconnected after -ERR 'Unknown Protocol Operation'

  Scenario: an invalid subject in SUB keeps the connection
    When client A sends "SUB foo..bar 1\r\n"
    Then client A receives -ERR 'Invalid Subject'
    And client A is still connected

  Scenario: a payload over max_payload closes the connection
    When client A sends "PUB foo 1048577\r\n"
    Then client A is disconnected after -ERR 'Maximum Payload Violation'
