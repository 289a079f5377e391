Feature: WebSocket clients
  Clients that connect through the websocket listener speak the NATS protocol inside WebSocket frames, and meet
  plain clients on the same subjects.

  Background:
    Given a server with a websocket listener

  @go:server/websocket_test.go:TestWSPubSub
  Scenario: a websocket client and a plain client exchange messages
    Given client P connects with {"verbose":false,"pedantic":false}
    And websocket client W connects
    When client P sends "SUB foo 1\r\nPING\r\n"
    Then client P receives PONG
    When websocket client W sends "CONNECT {\"verbose\":false,\"protocol\":1}\r\nPUB foo 7\r\nfrom ws\r\nSUB bar 1\r\nPING\r\n"
    Then client P receives MSG on "foo" with payload "from ws"
    And websocket client W receives a frame starting with "PONG\r\n"
    When client P sends "PUB bar 9\r\nfrom nats\r\n"
    Then websocket client W receives "MSG bar 1 9\r\nfrom nats\r\n"

  Scenario: a ping frame is answered with a pong frame carrying its payload
    Given websocket client W connects
    When websocket client W sends a ping frame with "are you there"
    Then websocket client W receives a pong frame with "are you there"

  Scenario: a close frame is answered with the same status and the connection ends
    Given websocket client W connects
    When websocket client W sends a close frame with status 1000 and "bye"
    Then websocket client W receives a close frame with status 1000 and "bye"
    And websocket client W is disconnected

  Scenario Outline: an upgrade request missing what RFC 6455 requires is refused
    Then an upgrade without the "<header>" header gets 400 "Bad Request\n"

    Examples:
      | header                |
      | Upgrade               |
      | Connection            |
      | Sec-Websocket-Key     |
      | Sec-Websocket-Version |

  Scenario: an upgrade request with another method than GET is refused
    Then an upgrade with method "POST" gets 405 "Method Not Allowed\n"

  Scenario: NATS.Client.Core over ws:// meets a plain client
    Given nats client S subscribes to "greet"
    And nats client W connects over websocket
    When nats client W publishes "hello" to "greet"
    Then nats client S receives "hello" on "greet"
