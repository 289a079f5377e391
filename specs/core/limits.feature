Feature: Limits, authorization and timers
  Configured limits are enforced with Go's errors and Go's choice of closing.

  Scenario: max_payload is announced in INFO and enforced
    Given a server with config:
      """
      max_payload: 100
      """
    And client A connects with {"verbose":false,"pedantic":false}
    When client A sends "PUB foo 101\r\n"
    Then client A is disconnected after -ERR 'Maximum Payload Violation'

  Scenario: a payload of exactly max_payload is accepted
    Given a server with config:
      """
      max_payload: 100
      """
    And client A connects with {"verbose":false,"pedantic":false}
    When client A sends "PUB foo 100\r\n0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\r\nPING\r\n"
    Then client A receives PONG

  Scenario: max_control_line closes a connection with a longer line
    Given a server with config:
      """
      max_control_line: 64
      """
    And client A connects with {"verbose":false,"pedantic":false}
    When client A sends "SUB aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1\r\n"
    Then client A is disconnected after -ERR 'maximum control line exceeded'

  Scenario: max_subscriptions refuses the next SUB and keeps the connection
    Given a server with config:
      """
      max_subscriptions: 1
      """
    And client A connects with {"verbose":false,"pedantic":false}
    When client A sends "SUB foo 1\r\nSUB bar 2\r\n"
    Then client A receives -ERR 'maximum subscriptions exceeded'
    And client A is still connected

  Scenario: max_connections refuses the next connection after INFO
    Given a server with config:
      """
      max_connections: 1
      """
    And client A takes a free connection slot with {"verbose":false,"pedantic":false}
    When client B connects
    Then client B is disconnected after -ERR 'maximum connections exceeded'

  Scenario: a wrong token is an authorization violation
    Given a server with config:
      """
      authorization { token: s3cr3t }
      """
    And client A connects with {"verbose":false,"auth_token":"wrong"}
    Then client A is disconnected after -ERR 'Authorization Violation'

  Scenario: the right token is accepted
    Given a server with config:
      """
      authorization { token: s3cr3t }
      """
    And client A connects with {"verbose":false,"auth_token":"s3cr3t"}
    Then client A is still connected

  Scenario: a wrong password is an authorization violation
    Given a server with config:
      """
      authorization { user: u, password: p }
      """
    And client A connects with {"verbose":false,"user":"u","pass":"x"}
    Then client A is disconnected after -ERR 'Authorization Violation'

  Scenario: an operation before CONNECT when authorization is required
    Given a server with config:
      """
      authorization { user: u, password: p }
      """
    And client A connects
    When client A sends "SUB foo 1\r\n"
    Then client A is disconnected after -ERR 'Authorization Violation'

  Scenario: no CONNECT within the auth timeout
    Given a server with config:
      """
      authorization { user: u, password: p, timeout: 0.5 }
      """
    And client A connects
    Then client A is disconnected after -ERR 'Authentication Timeout'

  @go:test/ping_test.go:TestPingInterval
  Scenario: a client that never answers PING is closed as stale
    Given a server with config:
      """
      ping_interval: "100ms"
      ping_max: 1
      """
    And client A connects with {"verbose":false,"pedantic":false}
    Then client A receives PING
    And client A is disconnected after -ERR 'Stale Connection'

  Scenario: a client that answers PING stays connected
    Given a server with config:
      """
      ping_interval: "100ms"
      ping_max: 1
      """
    And client A connects with {"verbose":false,"pedantic":false}
    When client A receives PING
    And client A sends "PONG\r\n"
    And client A receives PING
    And client A sends "PONG\r\n"
    Then client A receives PING
