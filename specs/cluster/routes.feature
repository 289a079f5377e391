Feature: Clusters of servers joined by routes
  Servers of one kind form a cluster through a seed; interest and messages cross the routes.

  Background:
    Given a cluster of 2 servers
    And the cluster has formed

  @go:test/cluster_test.go:TestBasicClusterPubSub
  Scenario: a message published on one server reaches a subscriber on the other
    Given client A connects to server 1 with {"verbose":false}
    And client B connects to server 2 with {"verbose":false}
    When client A sends "SUB foo 22\r\nPING\r\n"
    Then client A receives PONG
    And server 2 has route interest in "foo"
    When client B sends "PUB foo 2\r\nok\r\nPING\r\n"
    Then client B receives PONG
    And client A receives MSG on "foo" for sid "22" with reply "" and payload "ok"

  Scenario: a reply subject crosses the route with the message
    Given client A connects to server 1 with {"verbose":false}
    And client B connects to server 2 with {"verbose":false}
    When client A sends "SUB svc 1\r\nPING\r\n"
    Then client A receives PONG
    And server 2 has route interest in "svc"
    When client B sends "SUB inbox.1 7\r\nPING\r\n"
    Then client B receives PONG
    And server 1 has route interest in "inbox.1"
    When client B sends "PUB svc inbox.1 3\r\nreq\r\n"
    Then client A receives MSG on "svc" for sid "1" with reply "inbox.1" and payload "req"
    When client A sends "PUB inbox.1 3\r\nrep\r\n"
    Then client B receives MSG on "inbox.1" for sid "7" with reply "" and payload "rep"

  Scenario: a queue group with members on both servers gets one copy of each message
    Given client A connects to server 1 with {"verbose":false}
    And client B connects to server 2 with {"verbose":false}
    And client C connects to server 1 with {"verbose":false}
    When client A sends "SUB work q 1\r\nPING\r\n"
    Then client A receives PONG
    When client B sends "SUB work q 1\r\nPING\r\n"
    Then client B receives PONG
    And server 1 has route interest in "work"
    And server 2 has route interest in "work"
    When client C sends "PUB work 1\r\na\r\nPUB work 1\r\nb\r\nPUB work 1\r\nc\r\nPUB work 1\r\nd\r\nPUB work 1\r\ne\r\nPUB work 1\r\nf\r\nPING\r\n"
    Then client C receives PONG
    And clients A and B receive 6 messages in total

  Scenario: interest removed on one server stops delivery from the other
    Given client A connects to server 1 with {"verbose":false}
    And client B connects to server 2 with {"verbose":false}
    When client A sends "SUB foo 1\r\nPING\r\n"
    Then client A receives PONG
    And server 2 has route interest in "foo"
    When client A sends "UNSUB 1\r\nPING\r\n"
    Then client A receives PONG
    And server 2 has no route interest in "foo"
    When client B sends "PUB foo 2\r\nok\r\nPING\r\n"
    Then client B receives PONG
    And client A receives nothing

  Scenario: a client that connects to the route port is told so and closed
    Given client R connects to the route port of server 1
    When client R sends "CONNECT {\"verbose\":false,\"lang\":\"go\",\"version\":\"1.0.0\"}\r\n"
    Then client R is disconnected after -ERR 'attempted to connect to route port'
