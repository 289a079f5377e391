Feature: WebSocket compression
  With compression on, a client that offers permessage-deflate may send compressed messages, which are inflated into
  the protocol stream.

  @go:server/websocket_test.go:TestWSCompressedPubInSingleFrame
  Scenario: a compressed message within max_payload is delivered and the connection stays up
    Given a server with websocket config:
      """
      max_payload: 64
      websocket {
        compression: true
      }
      """
    And client P connects with {"verbose":false,"pedantic":false}
    And websocket client W connects offering compression
    When client P sends "SUB foo 1\r\nPING\r\n"
    Then client P receives PONG
    When websocket client W sends compressed "CONNECT {\"verbose\":false,\"protocol\":1}\r\nPUB foo 1\r\na\r\n"
    Then client P receives MSG on "foo" with payload "a"
    When websocket client W sends compressed "PING\r\n"
    Then websocket client W receives a frame starting with "PONG\r\n"

  @go:server/websocket_test.go:TestWSDecompressLimit
  Scenario: a compressed publish over max_payload is refused by the protocol parser
    Given a server with websocket config:
      """
      max_payload: 4096
      websocket {
        compression: true
      }
      """
    And websocket client W connects offering compression
    When websocket client W sends compressed "CONNECT {\"verbose\":false}\r\nPUB foo 4097\r\n"
    Then websocket client W receives "-ERR 'Maximum Payload Violation'\r\n"
