Feature: Split reads
  Control lines and payloads split across TCP writes at any byte parse the same as whole ones.

  Background:
    Given client A connects with {"verbose":false,"pedantic":false}

  Scenario: a SUB and PUB sent one byte at a time
    When client A sends "SUB foo 1\r\nPUB foo 5\r\nhello\r\n" one byte at a time
    Then client A receives MSG on "foo" with payload "hello"

  Scenario: a PUB with a reply sent one byte at a time
    When client A sends "SUB foo 1\r\n"
    And client A sends "PUB foo bar 3\r\nabc\r\n" one byte at a time
    Then client A receives MSG on "foo" for sid "1" with reply "bar" and payload "abc"

  Scenario: a PING sent one byte at a time
    When client A sends "PING\r\n" one byte at a time
    Then client A receives PONG

  Scenario: a payload split over two writes
    When client A sends "SUB foo 1\r\nPUB foo 10\r\nhello"
    And client A sends "world\r\n"
    Then client A receives MSG on "foo" with payload "helloworld"

  Scenario: a control line split in the middle of the subject
    When client A sends "SUB foo 1\r\nPUB fo"
    And client A sends "o 2\r\nok\r\n"
    Then client A receives MSG on "foo" with payload "ok"

  Scenario: an unknown operation sent one byte at a time still closes
    When client A sends "ZZZ\r\n" one byte at a time
    Then client A is disconnected after -ERR 'Unknown Protocol Operation'
