Feature: Connect and INFO
  A client gets INFO on accept, may PING before CONNECT, and CONNECT options shape what follows.

  @go:test/proto_test.go:TestProtoBasics
  Scenario: INFO is sent on accept and PING is answered after CONNECT
    Given client A connects with {"verbose":false,"pedantic":false}
    When client A sends:
      """
      PING
      """
    Then client A receives PONG

  Scenario: verbose mode acknowledges CONNECT, SUB and PUB with +OK
    Given client A connects with {"verbose":true}
    Then client A receives +OK
    When client A sends:
      """
      SUB foo 1
      PUB foo 2
      ok
      """
    Then client A receives exactly:
      """
      +OK
      +OK
      MSG foo 1 2
      ok
      """

  Scenario: before CONNECT the server is verbose, so a PUB is acknowledged
    Given client A connects
    When client A sends "PUB foo 2\r\nhi\r\nPING\r\n"
    Then client A receives exactly:
      """
      +OK
      PONG
      """

  Scenario Outline: an unsupported client protocol version is refused
    Given client A connects with {"verbose":false,"protocol":<protocol>}
    Then client A is disconnected after -ERR 'invalid client protocol'

    Examples:
      | protocol |
      | 2        |
      | -1       |

  Scenario: no_responders without headers is refused
    Given client A connects with {"verbose":false,"no_responders":true,"headers":false}
    Then client A is disconnected after -ERR 'no responders requires headers support'

  @since:2.10
  Scenario: the first PONG to a protocol 1 client is followed by INFO with connect_info
    Given client A connects with {"verbose":false,"protocol":1}
    When client A sends "PING\r\n"
    Then client A receives exactly:
      """
      PONG
      INFO {{*}"connect_info":true,"remote_account":"$G"{*}} 
      """
