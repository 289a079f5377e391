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

  Scenario: an invalid SUB subject with a full wildcard in the middle keeps the connection
    When client A sends "SUB foo.>.bar 1\r\n"
    Then client A receives -ERR 'Invalid Subject'
    And client A is still connected

  Scenario: a PUB without a size closes the connection without -ERR
    When client A sends "PUB foo\r\n"
    Then client A is disconnected

  Scenario: a SUB without a sid closes the connection without -ERR
    When client A sends "SUB foo\r\n"
    Then client A is disconnected

  Scenario: a payload longer than its size closes the connection
    When client A sends "PUB foo 2\r\nhello\r\n"
    Then client A is disconnected after -ERR 'Unknown Protocol Operation'

  Scenario: a client may not send MSG
    When client A sends "MSG foo 1 2\r\nok\r\n"
    Then client A is disconnected after -ERR 'Unknown Protocol Operation'

  Scenario: a client may not send route protocol
    When client A sends "RS+ foo\r\n"
    Then client A is disconnected after -ERR 'Unknown Protocol Operation'

  Scenario: -ERR from a client closes its connection
    When client A sends "-ERR 'oops'\r\n"
    Then client A is disconnected

  Scenario: CONNECT with invalid JSON closes the connection
    Given client B connects
    When client B sends "CONNECT {verbose:\r\n"
    Then client B is disconnected

  Scenario: an unknown operation before CONNECT closes the connection
    Given client B connects
    When client B sends "FOO\r\n"
    Then client B is disconnected after -ERR 'Unknown Protocol Operation'
