Feature: Publish and subscribe
  Messages reach matching subscribers, through wildcards and queue groups, with real clients too.

  Scenario: a published message reaches a subscriber on another connection
    Given client S connects with {"verbose":false,"pedantic":false}
    And client P connects with {"verbose":false,"pedantic":false}
    When client S sends "SUB foo.* 7\r\nPING\r\n"
    And client S receives PONG
    And client P sends "PUB foo.bar reply.to 5\r\nhello\r\n"
    Then client S receives MSG on "foo.bar" for sid "7" with reply "reply.to" and payload "hello"

  Scenario: NATS.Client.Core request and reply
    Given nats client responder serves "svc.echo" by replying "pong"
    Then nats client requester requests "svc.echo" with "ping" and gets "pong"

  Scenario: NATS.Client.Core request with no responders fails fast
    Then nats client requester requests "nobody.home" and gets no responders
