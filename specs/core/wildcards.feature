Feature: Subjects and wildcards
  '*' matches one token, '>' one or more at the end; literal subjects match exactly.

  Background:
    Given client S connects with {"verbose":false,"pedantic":false}
    And client P connects with {"verbose":false,"pedantic":false}

  Scenario Outline: a subscription on <pattern> gets <subject>
    When client S sends "SUB <pattern> 1\r\nPING\r\n"
    And client S receives PONG
    And client P sends "PUB <subject> 2\r\nok\r\n"
    Then client S receives MSG on "<subject>" with payload "ok"

    Examples:
      | pattern     | subject         |
      | foo         | foo             |
      | foo.bar     | foo.bar         |
      | foo.*       | foo.bar         |
      | *.bar       | foo.bar         |
      | foo.*.baz   | foo.bar.baz     |
      | foo.>       | foo.bar         |
      | foo.>       | foo.bar.baz.qux |
      | >           | anything.at.all |
      | *           | single          |

  Scenario Outline: a subscription on <pattern> does not get <subject>
    When client S sends "SUB <pattern> 1\r\nPING\r\n"
    And client S receives PONG
    And client P sends "PUB <subject> 2\r\nok\r\nPING\r\n"
    And client P receives PONG
    Then client S receives nothing

    Examples:
      | pattern | subject     |
      | foo     | foo.bar     |
      | foo.*   | foo         |
      | foo.*   | foo.bar.baz |
      | foo.>   | foo         |
      | *.bar   | foo.baz     |
      | bar     | foo         |
