Feature: Headers and no responders
  HPUB carries headers to clients that asked for them; a request with no subscribers gets a 503 status.

  Scenario: HPUB is delivered as HMSG to a client with headers
    Given client A connects with {"verbose":false,"pedantic":false,"headers":true}
    When client A sends "SUB foo 1\r\nHPUB foo 12 17\r\nNATS/1.0\r\n\r\nhello\r\n"
    Then client A receives HMSG on "foo" with headers "NATS/1.0\r\n\r\n" and payload "hello"

  Scenario: HPUB with a reply subject keeps it
    Given client A connects with {"verbose":false,"pedantic":false,"headers":true}
    When client A sends "SUB foo 1\r\nHPUB foo bar 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
    Then client A receives exactly:
      """
      HMSG foo 1 bar 12 14
      NATS/1.0
      
      hi
      """

  Scenario: a subscriber without headers receives only the payload
    Given client S connects with {"verbose":false,"pedantic":false,"headers":false}
    And client P connects with {"verbose":false,"pedantic":false,"headers":true}
    When client S sends "SUB foo 1\r\nPING\r\n"
    And client S receives PONG
    And client P sends "HPUB foo 12 17\r\nNATS/1.0\r\n\r\nhello\r\n"
    Then client S receives MSG on "foo" with payload "hello"

  Scenario: HPUB from a client that did not ask for headers closes the connection
    Given client A connects with {"verbose":false,"pedantic":false}
    When client A sends "HPUB foo 12 17\r\nNATS/1.0\r\n\r\nhello\r\n"
    Then client A is disconnected

  Scenario: a header size larger than the total size closes the connection
    Given client A connects with {"verbose":false,"pedantic":false,"headers":true}
    When client A sends "HPUB foo 20 10\r\n"
    Then client A is disconnected

  Scenario: headers arrive intact through NATS.Client.Core request and reply
    Given nats client responder serves "svc.hdr" by replying "done"
    Then nats client requester requests "svc.hdr" with "go" and gets "done"

  @since:2.12
  Scenario: no responders answers a request with a 503 status naming the subject
    Given client A connects with {"verbose":false,"pedantic":false,"headers":true,"no_responders":true}
    When client A sends "SUB reply 1\r\nPUB foo reply 2\r\nhi\r\n"
    Then client A receives exactly:
      """
      HMSG reply 1 35 35
      NATS/1.0 503
      Nats-Subject: foo
      
      
      """

  Scenario: no responders is silent without a reply subject
    Given client A connects with {"verbose":false,"pedantic":false,"headers":true,"no_responders":true}
    When client A sends "PUB foo 2\r\nhi\r\nPING\r\n"
    Then client A receives PONG
