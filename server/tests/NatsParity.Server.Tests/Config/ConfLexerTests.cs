using Shouldly;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Xunit;

namespace NatsParity.Server.Tests.Config;

/// <summary>Ports of conf/lex_test.go: the token stream of each input, with lines and positions.</summary>
public sealed class ConfLexerTests
{
    /// <summary>Go's expect: items in order until EOF; an error item ends the comparison.</summary>
    private static void Expect(ConfLexer lx, Item[] items, string? name = null)
    {
        for (int i = 0; i < items.Length; i++)
        {
            var item = lx.NextItem();
            if (item.Type == ItemType.Eof) break;
            item.ShouldBe(items[i], name);
            if (item.Type == ItemType.Error) break;
        }
    }

    [Fact, GoTest("conf/lex_test.go", "TestPlainValue")]
    public void PlainValue()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestSimpleKeyStringValues")]
    public void SimpleKeyStringValues()
    {
	// Double quotes
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "bar", 1, 7),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo = \"bar\"");
	Expect(lx, expectedItems);

	// Single quotes
	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "bar", 1, 7),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo = 'bar'");
	Expect(lx, expectedItems);

	// No spaces
	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "bar", 1, 5),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo='bar'");
	Expect(lx, expectedItems);

	// NL
	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "bar", 1, 5),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo='bar'\r\n");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "bar", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo=\t'bar'\t");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestComplexStringValues")]
    public void ComplexStringValues()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "bar\\r\\n  \\t", 1, 7),
		new(ItemType.Eof, "", 2, 0),
	};

	var lx = new ConfLexer("foo = 'bar\\r\\n  \\t'");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestStringStartingWithNumber")]
    public void StringStartingWithNumber()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "3xyz", 1, 6),
		new(ItemType.Eof, "", 2, 0),
	};

	var lx = new ConfLexer(@"foo = 3xyz");
	Expect(lx, expectedItems);

	lx = new ConfLexer(@"foo = 3xyz,");
	Expect(lx, expectedItems);

	lx = new ConfLexer(@"foo = 3xyz;");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 2, 9),
		new(ItemType.String, "3xyz", 2, 15),
		new(ItemType.Eof, "", 2, 0),
	};
	var content = @"
        foo = 3xyz
        ";
	lx = new ConfLexer(content);
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "map", 2, 9),
		new(ItemType.MapStart, "", 2, 14),
		new(ItemType.Key, "foo", 3, 11),
		new(ItemType.String, "3xyz", 3, 17),
		new(ItemType.MapEnd, "", 3, 22),
		new(ItemType.Eof, "", 2, 0),
	};
	content = @"
        map {
          foo = 3xyz}
        ";
	lx = new ConfLexer(content);
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "map", 2, 9),
		new(ItemType.MapStart, "", 2, 14),
		new(ItemType.Key, "foo", 3, 11),
		new(ItemType.String, "3xyz", 3, 17),
		new(ItemType.MapEnd, "", 4, 10),
		new(ItemType.Eof, "", 2, 0),
	};
	content = @"
        map {
          foo = 3xyz;
        }
        ";
	lx = new ConfLexer(content);
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "map", 2, 9),
		new(ItemType.MapStart, "", 2, 14),
		new(ItemType.Key, "foo", 3, 11),
		new(ItemType.String, "3xyz", 3, 17),
		new(ItemType.Key, "bar", 4, 11),
		new(ItemType.String, "4wqs", 4, 17),
		new(ItemType.MapEnd, "", 5, 10),
		new(ItemType.Eof, "", 2, 0),
	};
	content = @"
        map {
          foo = 3xyz,
          bar = 4wqs
        }
        ";
	lx = new ConfLexer(content);
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestBinaryString")]
    public void BinaryString()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "e", 1, 9),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo = \\x65");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestBinaryStringLatin1")]
    public void BinaryStringLatin1()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "\u00e9", 1, 9),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo = \\xe9");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestSimpleKeyIntegerValues")]
    public void SimpleKeyIntegerValues()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "123", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo = 123");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "123", 1, 4),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo=123");
	Expect(lx, expectedItems);
	lx = new ConfLexer("foo=123\r\n");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestSimpleKeyNegativeIntegerValues")]
    public void SimpleKeyNegativeIntegerValues()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "-123", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo = -123");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "-123", 1, 4),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo=-123");
	Expect(lx, expectedItems);
	lx = new ConfLexer("foo=-123\r\n");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestConvenientIntegerValues")]
    public void ConvenientIntegerValues()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "1k", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo = 1k");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "1K", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo = 1K");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "1m", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo = 1m");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "1M", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo = 1M");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "1g", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo = 1g");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "1G", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo = 1G");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "1MB", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo = 1MB");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "1Gb", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo = 1Gb");
	Expect(lx, expectedItems);

	// Negative versions
	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "-1m", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo = -1m");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "-1GB", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo = -1GB ");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "1Ghz", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo = 1Ghz");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "2Pie", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo = 2Pie");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "3Mbs", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo = 3Mbs,");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "4Gb", 1, 6),
		new(ItemType.Key, "bar", 1, 11),
		new(ItemType.String, "5Gø", 1, 17),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo = 4Gb, bar = 5Gø");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestSimpleKeyFloatValues")]
    public void SimpleKeyFloatValues()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Float, "22.2", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo = 22.2");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Float, "22.2", 1, 4),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo=22.2");
	Expect(lx, expectedItems);
	lx = new ConfLexer("foo=22.2\r\n");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestBadBinaryStringEndingAfterZeroHexChars")]
    public void BadBinaryStringEndingAfterZeroHexChars()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Error, "Expected two hexadecimal digits after '\\x', but hit end of line", 2, 1),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo = xyz\\x\n");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestBadBinaryStringEndingAfterOneHexChar")]
    public void BadBinaryStringEndingAfterOneHexChar()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Error, "Expected two hexadecimal digits after '\\x', but hit end of line", 2, 1),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo = xyz\\xF\n");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestBadBinaryStringWithZeroHexChars")]
    public void BadBinaryStringWithZeroHexChars()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Error, "Expected two hexadecimal digits after '\\x', but got ']\"'", 1, 12),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer(@"foo = ""[\x]""");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestBadBinaryStringWithOneHexChar")]
    public void BadBinaryStringWithOneHexChar()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Error, "Expected two hexadecimal digits after '\\x', but got 'e]'", 1, 12),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer(@"foo = ""[\xe]""");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestBadFloatValues")]
    public void BadFloatValues()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Error, "Floats must start with a digit", 1, 7),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo = .2");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestBadKey")]
    public void BadKey()
    {
	var expectedItems = new Item[] {
		new(ItemType.Error, "Unexpected key separator ':'", 1, 1),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer(" :foo = 22");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestSimpleKeyBoolValues")]
    public void SimpleKeyBoolValues()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Bool, "true", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo = true");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Bool, "true", 1, 4),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo=true");
	Expect(lx, expectedItems);
	lx = new ConfLexer("foo=true\r\n");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestComments")]
    public void Comments()
    {
	var expectedItems = new Item[] {
		new(ItemType.CommentStart, "", 1, 1),
		new(ItemType.Text, " This is a comment", 1, 1),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("# This is a comment");
	Expect(lx, expectedItems);
	lx = new ConfLexer("# This is a comment\r\n");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.CommentStart, "", 1, 2),
		new(ItemType.Text, " This is a comment", 1, 2),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("// This is a comment\r\n");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestTopValuesWithComments")]
    public void TopValuesWithComments()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "123", 1, 6),
		new(ItemType.CommentStart, "", 1, 12),
		new(ItemType.Text, " This is a comment", 1, 12),
		new(ItemType.Eof, "", 1, 0),
	};

	var lx = new ConfLexer("foo = 123 // This is a comment");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "123", 1, 4),
		new(ItemType.CommentStart, "", 1, 12),
		new(ItemType.Text, " This is a comment", 1, 12),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo=123    # This is a comment");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestRawString")]
    public void RawString()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "bar", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo = bar");
	Expect(lx, expectedItems);
	lx = new ConfLexer(@"foo = bar' ");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestDateValues")]
    public void DateValues()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Datetime, "2016-05-04T18:53:41Z", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};

	var lx = new ConfLexer("foo = 2016-05-04T18:53:41Z");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestVariableValues")]
    public void VariableValues()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Variable, "bar", 1, 7),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo = $bar");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Variable, "bar", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo =$bar");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Variable, "bar", 1, 5),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo $bar");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestArrays")]
    public void Arrays()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.ArrayStart, "", 1, 7),
		new(ItemType.Integer, "1", 1, 7),
		new(ItemType.Integer, "2", 1, 10),
		new(ItemType.Integer, "3", 1, 13),
		new(ItemType.String, "bar", 1, 17),
		new(ItemType.ArrayEnd, "", 1, 22),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo = [1, 2, 3, 'bar']");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.ArrayStart, "", 1, 7),
		new(ItemType.Integer, "1", 1, 7),
		new(ItemType.Integer, "2", 1, 9),
		new(ItemType.Integer, "3", 1, 11),
		new(ItemType.String, "bar", 1, 14),
		new(ItemType.ArrayEnd, "", 1, 19),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo = [1,2,3,'bar']");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.ArrayStart, "", 1, 7),
		new(ItemType.Integer, "1", 1, 7),
		new(ItemType.Integer, "2", 1, 10),
		new(ItemType.Integer, "3", 1, 12),
		new(ItemType.String, "bar", 1, 15),
		new(ItemType.ArrayEnd, "", 1, 20),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo = [1, 2,3,'bar']");
	Expect(lx, expectedItems);
    }


    private const string mlArray = @"
# top level comment
foo = [
 1, # One
 2, // Two
 3 # Three
 'bar'     ,
 ""bar""
]
";

    [Fact, GoTest("conf/lex_test.go", "TestMultilineArrays")]
    public void MultilineArrays()
    {
	var expectedItems = new Item[] {
		new(ItemType.CommentStart, "", 2, 2),
		new(ItemType.Text, " top level comment", 2, 2),
		new(ItemType.Key, "foo", 3, 1),
		new(ItemType.ArrayStart, "", 3, 8),
		new(ItemType.Integer, "1", 4, 2),
		new(ItemType.CommentStart, "", 4, 6),
		new(ItemType.Text, " One", 4, 6),
		new(ItemType.Integer, "2", 5, 2),
		new(ItemType.CommentStart, "", 5, 7),
		new(ItemType.Text, " Two", 5, 7),
		new(ItemType.Integer, "3", 6, 2),
		new(ItemType.CommentStart, "", 6, 5),
		new(ItemType.Text, " Three", 6, 5),
		new(ItemType.String, "bar", 7, 3),
		new(ItemType.String, "bar", 8, 3),
		new(ItemType.ArrayEnd, "", 9, 2),
		new(ItemType.Eof, "", 9, 0),
	};
	var lx = new ConfLexer(mlArray);
	Expect(lx, expectedItems);
    }


    private const string mlArrayNoSep = @"
# top level comment
foo = [
 1 // foo
 2
 3
 'bar'
 ""bar""
]
";

    [Fact, GoTest("conf/lex_test.go", "TestMultilineArraysNoSep")]
    public void MultilineArraysNoSep()
    {
	var expectedItems = new Item[] {
		new(ItemType.CommentStart, "", 2, 2),
		new(ItemType.Text, " top level comment", 2, 2),
		new(ItemType.Key, "foo", 3, 1),
		new(ItemType.ArrayStart, "", 3, 8),
		new(ItemType.Integer, "1", 4, 2),
		new(ItemType.CommentStart, "", 4, 6),
		new(ItemType.Text, " foo", 4, 6),
		new(ItemType.Integer, "2", 5, 2),
		new(ItemType.Integer, "3", 6, 2),
		new(ItemType.String, "bar", 7, 3),
		new(ItemType.String, "bar", 8, 3),
		new(ItemType.ArrayEnd, "", 9, 2),
		new(ItemType.Eof, "", 9, 0),
	};
	var lx = new ConfLexer(mlArrayNoSep);
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestSimpleMap")]
    public void SimpleMap()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.MapStart, "", 1, 7),
		new(ItemType.Key, "ip", 1, 7),
		new(ItemType.String, "127.0.0.1", 1, 11),
		new(ItemType.Key, "port", 1, 23),
		new(ItemType.Integer, "4242", 1, 30),
		new(ItemType.MapEnd, "", 1, 35),
		new(ItemType.Eof, "", 1, 0),
	};

	var lx = new ConfLexer("foo = {ip='127.0.0.1', port = 4242}");
	Expect(lx, expectedItems);
    }


    private const string mlMap = @"
foo = {
  ip = '127.0.0.1' # the IP
  port= 4242 // the port
}
";

    [Fact, GoTest("conf/lex_test.go", "TestMultilineMap")]
    public void MultilineMap()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 2, 1),
		new(ItemType.MapStart, "", 2, 8),
		new(ItemType.Key, "ip", 3, 3),
		new(ItemType.String, "127.0.0.1", 3, 9),
		new(ItemType.CommentStart, "", 3, 21),
		new(ItemType.Text, " the IP", 3, 21),
		new(ItemType.Key, "port", 4, 3),
		new(ItemType.Integer, "4242", 4, 9),
		new(ItemType.CommentStart, "", 4, 16),
		new(ItemType.Text, " the port", 4, 16),
		new(ItemType.MapEnd, "", 5, 2),
		new(ItemType.Eof, "", 5, 0),
	};

	var lx = new ConfLexer(mlMap);
	Expect(lx, expectedItems);
    }


    private const string nestedMap = @"
foo = {
  host = {
    ip = '127.0.0.1'
    port= 4242
  }
}
";

    [Fact, GoTest("conf/lex_test.go", "TestNestedMaps")]
    public void NestedMaps()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 2, 1),
		new(ItemType.MapStart, "", 2, 8),
		new(ItemType.Key, "host", 3, 3),
		new(ItemType.MapStart, "", 3, 11),
		new(ItemType.Key, "ip", 4, 5),
		new(ItemType.String, "127.0.0.1", 4, 11),
		new(ItemType.Key, "port", 5, 5),
		new(ItemType.Integer, "4242", 5, 11),
		new(ItemType.MapEnd, "", 6, 4),
		new(ItemType.MapEnd, "", 7, 2),
		new(ItemType.Eof, "", 7, 0),
	};

	var lx = new ConfLexer(nestedMap);
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestQuotedKeys")]
    public void QuotedKeys()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "123", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo : 123");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 1),
		new(ItemType.Integer, "123", 1, 8),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("'foo' : 123");
	Expect(lx, expectedItems);
	lx = new ConfLexer("\"foo\" : 123");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestQuotedKeysWithSpace")]
    public void QuotedKeysWithSpace()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, " foo", 1, 1),
		new(ItemType.Integer, "123", 1, 9),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("' foo' : 123");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, " foo", 1, 1),
		new(ItemType.Integer, "123", 1, 9),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("\" foo\" : 123");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestColonKeySep")]
    public void ColonKeySep()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "123", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo : 123");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "123", 1, 4),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo:123");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "123", 1, 5),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo: 123");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "123", 1, 6),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo:  123\r\n");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestWhitespaceKeySep")]
    public void WhitespaceKeySep()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "123", 1, 4),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo 123");
	Expect(lx, expectedItems);
	lx = new ConfLexer("foo 123");
	Expect(lx, expectedItems);
	lx = new ConfLexer("foo\t123");
	Expect(lx, expectedItems);
	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Integer, "123", 1, 5),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo\t\t123\r\n");
	Expect(lx, expectedItems);
    }


    private const string escString = @"
foo  = \t
bar  = \r
baz  = \n
q    = \""
bs   = \\
";

    [Fact, GoTest("conf/lex_test.go", "TestEscapedString")]
    public void EscapedString()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 2, 1),
		new(ItemType.String, "\t", 2, 9),
		new(ItemType.Key, "bar", 3, 1),
		new(ItemType.String, "\r", 3, 9),
		new(ItemType.Key, "baz", 4, 1),
		new(ItemType.String, "\n", 4, 9),
		new(ItemType.Key, "q", 5, 1),
		new(ItemType.String, "\"", 5, 9),
		new(ItemType.Key, "bs", 6, 1),
		new(ItemType.String, "\\", 6, 9),
		new(ItemType.Eof, "", 6, 0),
	};
	var lx = new ConfLexer(escString);
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestCompoundStringES")]
    public void CompoundStringES()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "\\end", 1, 8),
		new(ItemType.Eof, "", 2, 0),
	};
	var lx = new ConfLexer(@"foo = ""\\end""");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestCompoundStringSE")]
    public void CompoundStringSE()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "start\\", 1, 8),
		new(ItemType.Eof, "", 2, 0),
	};
	var lx = new ConfLexer(@"foo = ""start\\""");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestCompoundStringEE")]
    public void CompoundStringEE()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "Eq", 1, 12),
		new(ItemType.Eof, "", 2, 0),
	};
	var lx = new ConfLexer(@"foo = \x45\x71");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestCompoundStringSEE")]
    public void CompoundStringSEE()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "startEq", 1, 12),
		new(ItemType.Eof, "", 2, 0),
	};
	var lx = new ConfLexer(@"foo = start\x45\x71");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestCompoundStringSES")]
    public void CompoundStringSES()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "start|end", 1, 9),
		new(ItemType.Eof, "", 2, 0),
	};
	var lx = new ConfLexer(@"foo = start\x7Cend");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestCompoundStringEES")]
    public void CompoundStringEES()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "<>end", 1, 12),
		new(ItemType.Eof, "", 2, 0),
	};
	var lx = new ConfLexer(@"foo = \x3c\x3eend");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestCompoundStringESE")]
    public void CompoundStringESE()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "<middle>", 1, 12),
		new(ItemType.Eof, "", 2, 0),
	};
	var lx = new ConfLexer(@"foo = \x3cmiddle\x3E");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestBadStringEscape")]
    public void BadStringEscape()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.Error, "Invalid escape character 'y'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.", 1, 8),
		new(ItemType.Eof, "", 2, 0),
	};
	var lx = new ConfLexer(@"foo = \y");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestNonBool")]
    public void NonBool()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "\\true", 1, 7),
		new(ItemType.Eof, "", 2, 0),
	};
	var lx = new ConfLexer(@"foo = \\true");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestNonVariable")]
    public void NonVariable()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "\\$var", 1, 7),
		new(ItemType.Eof, "", 2, 0),
	};
	var lx = new ConfLexer(@"foo = \\$var");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestEmptyStringDQ")]
    public void EmptyStringDQ()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "", 1, 7),
		new(ItemType.Eof, "", 2, 0),
	};
	var lx = new ConfLexer(@"foo = """"");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestEmptyStringSQ")]
    public void EmptyStringSQ()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "", 1, 7),
		new(ItemType.Eof, "", 2, 0),
	};
	var lx = new ConfLexer(@"foo = ''");
	Expect(lx, expectedItems);
    }


    private const string nestedWhitespaceMap = @"
foo  {
  host  {
    ip = '127.0.0.1'
    port= 4242
  }
}
";

    [Fact, GoTest("conf/lex_test.go", "TestNestedWhitespaceMaps")]
    public void NestedWhitespaceMaps()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 2, 1),
		new(ItemType.MapStart, "", 2, 7),
		new(ItemType.Key, "host", 3, 3),
		new(ItemType.MapStart, "", 3, 10),
		new(ItemType.Key, "ip", 4, 5),
		new(ItemType.String, "127.0.0.1", 4, 11),
		new(ItemType.Key, "port", 5, 5),
		new(ItemType.Integer, "4242", 5, 11),
		new(ItemType.MapEnd, "", 6, 4),
		new(ItemType.MapEnd, "", 7, 2),
		new(ItemType.Eof, "", 7, 0),
	};

	var lx = new ConfLexer(nestedWhitespaceMap);
	Expect(lx, expectedItems);
    }


    private const string semicolons = @"
foo = 123;
bar = 'baz';
baz = 'boo'
map {
 id = 1;
}
";

    [Fact, GoTest("conf/lex_test.go", "TestOptionalSemicolons")]
    public void OptionalSemicolons()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 2, 1),
		new(ItemType.Integer, "123", 2, 7),
		new(ItemType.Key, "bar", 3, 1),
		new(ItemType.String, "baz", 3, 8),
		new(ItemType.Key, "baz", 4, 1),
		new(ItemType.String, "boo", 4, 8),
		new(ItemType.Key, "map", 5, 1),
		new(ItemType.MapStart, "", 5, 6),
		new(ItemType.Key, "id", 6, 2),
		new(ItemType.Integer, "1", 6, 7),
		new(ItemType.MapEnd, "", 7, 2),
		new(ItemType.Eof, "", 8, 0),
	};

	var lx = new ConfLexer(semicolons);
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestSemicolonChaining")]
    public void SemicolonChaining()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.String, "1", 1, 5),
		new(ItemType.Key, "bar", 1, 9),
		new(ItemType.Float, "2.2", 1, 13),
		new(ItemType.Key, "baz", 1, 18),
		new(ItemType.Bool, "true", 1, 22),
		new(ItemType.Eof, "", 1, 0),
	};

	var lx = new ConfLexer("foo='1'; bar=2.2; baz=true;");
	Expect(lx, expectedItems);
    }


    private const string noquotes = @"
foo = 123
bar = baz
baz=boo
map {
 id:one
 id2 : onetwo
}
t true
f false
tstr ""true""
tkey = two
fkey = five # This should be a string
";

    [Fact, GoTest("conf/lex_test.go", "TestNonQuotedStrings")]
    public void NonQuotedStrings()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 2, 1),
		new(ItemType.Integer, "123", 2, 7),
		new(ItemType.Key, "bar", 3, 1),
		new(ItemType.String, "baz", 3, 7),
		new(ItemType.Key, "baz", 4, 1),
		new(ItemType.String, "boo", 4, 5),
		new(ItemType.Key, "map", 5, 1),
		new(ItemType.MapStart, "", 5, 6),
		new(ItemType.Key, "id", 6, 2),
		new(ItemType.String, "one", 6, 5),
		new(ItemType.Key, "id2", 7, 2),
		new(ItemType.String, "onetwo", 7, 8),
		new(ItemType.MapEnd, "", 8, 2),
		new(ItemType.Key, "t", 9, 1),
		new(ItemType.Bool, "true", 9, 3),
		new(ItemType.Key, "f", 10, 1),
		new(ItemType.Bool, "false", 10, 3),
		new(ItemType.Key, "tstr", 11, 1),
		new(ItemType.String, "true", 11, 7),
		new(ItemType.Key, "tkey", 12, 1),
		new(ItemType.String, "two", 12, 8),
		new(ItemType.Key, "fkey", 13, 1),
		new(ItemType.String, "five", 13, 8),
		new(ItemType.CommentStart, "", 13, 14),
		new(ItemType.Text, " This should be a string", 13, 14),
		new(ItemType.Eof, "", 14, 0),
	};
	var lx = new ConfLexer(noquotes);
	Expect(lx, expectedItems);
    }


    private const string danglingquote = @"
listen: ""localhost:4242

http: localhost:8222
";

    [Fact, GoTest("conf/lex_test.go", "TestDanglingQuotedString")]
    public void DanglingQuotedString()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "listen", 2, 1),
		new(ItemType.Error, "Unexpected EOF.", 5, 1),
	};
	var lx = new ConfLexer(danglingquote);
	Expect(lx, expectedItems);
    }


    private const string keydanglingquote = @"
foo = ""
listen: ""

http: localhost:8222

""
";

    [Fact, GoTest("conf/lex_test.go", "TestKeyDanglingQuotedString")]
    public void KeyDanglingQuotedString()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 2, 1),
		new(ItemType.String, "\nlisten: ", 3, 8),
		new(ItemType.Key, "http", 5, 1),
		new(ItemType.String, "localhost:8222", 5, 7),
		new(ItemType.Error, "Unexpected EOF.", 8, 1),
	};
	var lx = new ConfLexer(keydanglingquote);
	Expect(lx, expectedItems);
    }


    private const string danglingsquote = @"
listen: 'localhost:4242

http: localhost:8222
";

    [Fact, GoTest("conf/lex_test.go", "TestDanglingSingleQuotedString")]
    public void DanglingSingleQuotedString()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "listen", 2, 1),
		new(ItemType.Error, "Unexpected EOF.", 5, 1),
	};
	var lx = new ConfLexer(danglingsquote);
	Expect(lx, expectedItems);
    }


    private const string keydanglingsquote = @"
foo = '
listen: '

http: localhost:8222

'
";

    [Fact, GoTest("conf/lex_test.go", "TestKeyDanglingSingleQuotedString")]
    public void KeyDanglingSingleQuotedString()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 2, 1),
		new(ItemType.String, "\nlisten: ", 3, 8),
		new(ItemType.Key, "http", 5, 1),
		new(ItemType.String, "localhost:8222", 5, 7),
		new(ItemType.Error, "Unexpected EOF.", 8, 1),
	};
	var lx = new ConfLexer(keydanglingsquote);
	Expect(lx, expectedItems);
    }


    private const string mapdanglingbracket = @"
listen = 4222

cluster = {

  foo = bar

";

    [Fact, GoTest("conf/lex_test.go", "TestMapDanglingBracket")]
    public void MapDanglingBracket()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "listen", 2, 1),
		new(ItemType.Integer, "4222", 2, 10),
		new(ItemType.Key, "cluster", 4, 1),
		new(ItemType.MapStart, "", 4, 12),
		new(ItemType.Key, "foo", 6, 3),
		new(ItemType.String, "bar", 6, 9),
		new(ItemType.Error, "Unexpected EOF processing map.", 8, 1),
	};
	var lx = new ConfLexer(mapdanglingbracket);
	Expect(lx, expectedItems);
    }


    private const string blockdanglingparens = @"
listen = 4222

quote = (

  foo = bar

";

    [Fact, GoTest("conf/lex_test.go", "TestBlockDanglingParens")]
    public void BlockDanglingParens()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "listen", 2, 1),
		new(ItemType.Integer, "4222", 2, 10),
		new(ItemType.Key, "quote", 4, 1),
		new(ItemType.Error, "Unexpected EOF processing block.", 8, 1),
	};
	var lx = new ConfLexer(blockdanglingparens);
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestMapQuotedKeys")]
    public void MapQuotedKeys()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.MapStart, "", 1, 7),
		new(ItemType.Key, "bar", 1, 8),
		new(ItemType.Integer, "4242", 1, 15),
		new(ItemType.MapEnd, "", 1, 20),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo = {'bar' = 4242}");
	Expect(lx, expectedItems);
	lx = new ConfLexer("foo = {\"bar\" = 4242}");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestSpecialCharsMapQuotedKeys")]
    public void SpecialCharsMapQuotedKeys()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.MapStart, "", 1, 7),
		new(ItemType.Key, "bar-1.2.3", 1, 8),
		new(ItemType.MapStart, "", 1, 22),
		new(ItemType.Key, "port", 1, 23),
		new(ItemType.Integer, "4242", 1, 28),
		new(ItemType.MapEnd, "", 1, 34),
		new(ItemType.MapEnd, "", 1, 35),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("foo = {'bar-1.2.3' = { port:4242 }}");
	Expect(lx, expectedItems);
	lx = new ConfLexer("foo = {\"bar-1.2.3\" = { port:4242 }}");
	Expect(lx, expectedItems);
    }


    private const string mlnestedmap = @"
systems {
  allinone {
    description: ""This is a description.""
  }
}
";

    [Fact, GoTest("conf/lex_test.go", "TestDoubleNestedMapsNewLines")]
    public void DoubleNestedMapsNewLines()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "systems", 2, 1),
		new(ItemType.MapStart, "", 2, 10),
		new(ItemType.Key, "allinone", 3, 3),
		new(ItemType.MapStart, "", 3, 13),
		new(ItemType.Key, "description", 4, 5),
		new(ItemType.String, "This is a description.", 4, 19),
		new(ItemType.MapEnd, "", 5, 4),
		new(ItemType.MapEnd, "", 6, 2),
		new(ItemType.Eof, "", 7, 0),
	};
	var lx = new ConfLexer(mlnestedmap);
	Expect(lx, expectedItems);
    }


    private const string blockexample = @"
numbers (
1234567890
)
";

    [Fact, GoTest("conf/lex_test.go", "TestBlockString")]
    public void BlockString()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "numbers", 2, 1),
		new(ItemType.String, "\n1234567890\n", 4, 10),
	};
	var lx = new ConfLexer(blockexample);
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestBlockStringEOF")]
    public void BlockStringEOF()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "numbers", 2, 1),
		new(ItemType.String, "\n1234567890\n", 4, 10),
	};
	// The closing newline replaced by a NUL byte, as Go's test does.
	var lx = new ConfLexer(blockexample[..^1] + "\0");
	Expect(lx, expectedItems);
    }


    private const string mlblockexample = @"
numbers (
  12(34)56
  (
    7890
  )
)
";

    [Fact, GoTest("conf/lex_test.go", "TestBlockStringMultiLine")]
    public void BlockStringMultiLine()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "numbers", 2, 1),
		new(ItemType.String, "\n  12(34)56\n  (\n    7890\n  )\n", 7, 10),
	};
	var lx = new ConfLexer(mlblockexample);
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestUnquotedIPAddr")]
    public void UnquotedIPAddr()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "listen", 1, 0),
		new(ItemType.String, "127.0.0.1:4222", 1, 8),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("listen: 127.0.0.1:4222");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "listen", 1, 0),
		new(ItemType.String, "127.0.0.1", 1, 8),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("listen: 127.0.0.1");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "listen", 1, 0),
		new(ItemType.String, "apcera.me:80", 1, 8),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("listen: apcera.me:80");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "listen", 1, 0),
		new(ItemType.String, "nats.io:-1", 1, 8),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("listen: nats.io:-1");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "listen", 1, 0),
		new(ItemType.Integer, "-1", 1, 8),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("listen: -1");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "listen", 1, 0),
		new(ItemType.String, ":-1", 1, 8),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("listen: :-1");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "listen", 1, 0),
		new(ItemType.String, ":80", 1, 9),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("listen = :80");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "listen", 1, 0),
		new(ItemType.ArrayStart, "", 1, 10),
		new(ItemType.String, "localhost:4222", 1, 10),
		new(ItemType.String, "localhost:4333", 1, 26),
		new(ItemType.ArrayEnd, "", 1, 41),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("listen = [localhost:4222, localhost:4333]");
	Expect(lx, expectedItems);
    }


    private const string arrayOfMaps = @"
authorization {
    users = [
      {user: alice, password: foo}
      {user: bob,   password: bar}
    ]
    timeout: 0.5
}
";

    [Fact, GoTest("conf/lex_test.go", "TestArrayOfMaps")]
    public void ArrayOfMaps()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "authorization", 2, 1),
		new(ItemType.MapStart, "", 2, 16),
		new(ItemType.Key, "users", 3, 5),
		new(ItemType.ArrayStart, "", 3, 14),
		new(ItemType.MapStart, "", 4, 8),
		new(ItemType.Key, "user", 4, 8),
		new(ItemType.String, "alice", 4, 14),
		new(ItemType.Key, "password", 4, 21),
		new(ItemType.String, "foo", 4, 31),
		new(ItemType.MapEnd, "", 4, 35),
		new(ItemType.MapStart, "", 5, 8),
		new(ItemType.Key, "user", 5, 8),
		new(ItemType.String, "bob", 5, 14),
		new(ItemType.Key, "password", 5, 21),
		new(ItemType.String, "bar", 5, 31),
		new(ItemType.MapEnd, "", 5, 35),
		new(ItemType.ArrayEnd, "", 6, 6),
		new(ItemType.Key, "timeout", 7, 5),
		new(ItemType.Float, "0.5", 7, 14),
		new(ItemType.MapEnd, "", 8, 2),
		new(ItemType.Eof, "", 9, 0),
	};
	var lx = new ConfLexer(arrayOfMaps);
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestInclude")]
    public void Include()
    {
	var expectedItems = new Item[] {
		new(ItemType.Include, "users.conf", 1, 9),
		new(ItemType.Eof, "", 1, 0),
	};
	var lx = new ConfLexer("include \"users.conf\"");
	Expect(lx, expectedItems);

	lx = new ConfLexer("include 'users.conf'");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Include, "users.conf", 1, 8),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("include users.conf");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestMapInclude")]
    public void MapInclude()
    {
	var expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.MapStart, "", 1, 5),
		new(ItemType.Include, "users.conf", 1, 14),
		new(ItemType.MapEnd, "", 1, 26),
		new(ItemType.Eof, "", 1, 0),
	};

	var lx = new ConfLexer("foo { include users.conf }");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.MapStart, "", 1, 5),
		new(ItemType.Include, "users.conf", 1, 13),
		new(ItemType.MapEnd, "", 1, 24),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo {include users.conf}");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.MapStart, "", 1, 5),
		new(ItemType.Include, "users.conf", 1, 15),
		new(ItemType.MapEnd, "", 1, 28),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo { include 'users.conf' }");
	Expect(lx, expectedItems);

	expectedItems = new Item[] {
		new(ItemType.Key, "foo", 1, 0),
		new(ItemType.MapStart, "", 1, 5),
		new(ItemType.Include, "users.conf", 1, 15),
		new(ItemType.MapEnd, "", 1, 27),
		new(ItemType.Eof, "", 1, 0),
	};
	lx = new ConfLexer("foo { include \"users.conf\"}");
	Expect(lx, expectedItems);
    }


    [Fact, GoTest("conf/lex_test.go", "TestJSONCompat")]
    public void JSONCompat()
    {
	foreach (var test in new (string name, string input, Item[] expected)[] {
		("should omit initial and final brackets at top level with a single item",
			@"
                        {
                          ""http_port"": 8223
                        }
                        ",
			new Item[] {
				new(ItemType.Key, "http_port", 3, 28),
				new(ItemType.Integer, "8223", 3, 40),
				new(ItemType.Key, "}", 4, 25),
				new(ItemType.Eof, "", 0, 0),
			}),
		("should omit trailing commas at top level with two items",
			@"
                        {
                          ""http_port"": 8223,
                          ""port"": 4223
                        }
                        ",
			new Item[] {
				new(ItemType.Key, "http_port", 3, 28),
				new(ItemType.Integer, "8223", 3, 40),
				new(ItemType.Key, "port", 4, 28),
				new(ItemType.Integer, "4223", 4, 35),
				new(ItemType.Key, "}", 5, 25),
				new(ItemType.Eof, "", 0, 0),
			}),
		("should omit trailing commas at top level with multiple items",
			@"
                        {
                          ""http_port"": 8223,
                          ""port"": 4223,
                          ""max_payload"": ""5MB"",
                          ""debug"": true,
                          ""max_control_line"": 1024
                        }
                        ",
			new Item[] {
				new(ItemType.Key, "http_port", 3, 28),
				new(ItemType.Integer, "8223", 3, 40),
				new(ItemType.Key, "port", 4, 28),
				new(ItemType.Integer, "4223", 4, 35),
				new(ItemType.Key, "max_payload", 5, 28),
				new(ItemType.String, "5MB", 5, 43),
				new(ItemType.Key, "debug", 6, 28),
				new(ItemType.Bool, "true", 6, 36),
				new(ItemType.Key, "max_control_line", 7, 28),
				new(ItemType.Integer, "1024", 7, 47),
				new(ItemType.Key, "}", 8, 25),
				new(ItemType.Eof, "", 0, 0),
			}),
		("should support JSON not prettified",
			@"{""http_port"": 8224,""port"": 4224}
                        ",
			new Item[] {
				new(ItemType.Key, "http_port", 1, 2),
				new(ItemType.Integer, "8224", 1, 14),
				new(ItemType.Key, "port", 1, 20),
				new(ItemType.Integer, "4224", 1, 27),
				new(ItemType.Eof, "", 0, 0),
			}),
		("should support JSON not prettified with final bracket after newline",
			@"{""http_port"": 8225,""port"": 4225
                        }
                        ",
			new Item[] {
				new(ItemType.Key, "http_port", 1, 2),
				new(ItemType.Integer, "8225", 1, 14),
				new(ItemType.Key, "port", 1, 20),
				new(ItemType.Integer, "4225", 1, 27),
				new(ItemType.Key, "}", 2, 25),
				new(ItemType.Eof, "", 0, 0),
			}),
		("should support uglified JSON with inner blocks",
			@"{""http_port"": 8227,""port"": 4227,""write_deadline"": ""1h"",""cluster"": {""port"": 6222,""routes"": [""nats://127.0.0.1:4222"",""nats://127.0.0.1:4223"",""nats://127.0.0.1:4224""]}}
                        ",
			new Item[] {
				new(ItemType.Key, "http_port", 1, 2),
				new(ItemType.Integer, "8227", 1, 14),
				new(ItemType.Key, "port", 1, 20),
				new(ItemType.Integer, "4227", 1, 27),
				new(ItemType.Key, "write_deadline", 1, 33),
				new(ItemType.String, "1h", 1, 51),
				new(ItemType.Key, "cluster", 1, 56),
				new(ItemType.MapStart, "", 1, 67),
				new(ItemType.Key, "port", 1, 68),
				new(ItemType.Integer, "6222", 1, 75),
				new(ItemType.Key, "routes", 1, 81),
				new(ItemType.ArrayStart, "", 1, 91),
				new(ItemType.String, "nats://127.0.0.1:4222", 1, 92),
				new(ItemType.String, "nats://127.0.0.1:4223", 1, 116),
				new(ItemType.String, "nats://127.0.0.1:4224", 1, 140),
				new(ItemType.ArrayEnd, "", 1, 163),
				new(ItemType.MapEnd, "", 1, 164),
				new(ItemType.Key, "}", 14, 25),
				new(ItemType.Eof, "", 0, 0),
			}),
		("should support prettified JSON with inner blocks",
			@"
                        {
                          ""http_port"": 8227,
                          ""port"": 4227,
                          ""write_deadline"": ""1h"",
                          ""cluster"": {
                            ""port"": 6222,
                            ""routes"": [
                              ""nats://127.0.0.1:4222"",
                              ""nats://127.0.0.1:4223"",
                              ""nats://127.0.0.1:4224""
                            ]
                          }
                        }
                        ",
			new Item[] {
				new(ItemType.Key, "http_port", 3, 28),
				new(ItemType.Integer, "8227", 3, 40),
				new(ItemType.Key, "port", 4, 28),
				new(ItemType.Integer, "4227", 4, 35),
				new(ItemType.Key, "write_deadline", 5, 28),
				new(ItemType.String, "1h", 5, 46),
				new(ItemType.Key, "cluster", 6, 28),
				new(ItemType.MapStart, "", 6, 39),
				new(ItemType.Key, "port", 7, 30),
				new(ItemType.Integer, "6222", 7, 37),
				new(ItemType.Key, "routes", 8, 30),
				new(ItemType.ArrayStart, "", 8, 40),
				new(ItemType.String, "nats://127.0.0.1:4222", 9, 32),
				new(ItemType.String, "nats://127.0.0.1:4223", 10, 32),
				new(ItemType.String, "nats://127.0.0.1:4224", 11, 32),
				new(ItemType.ArrayEnd, "", 12, 30),
				new(ItemType.MapEnd, "", 13, 28),
				new(ItemType.Key, "}", 14, 25),
				new(ItemType.Eof, "", 0, 0),
			}),
		("should support JSON with blocks",
			@"{
                          ""jetstream"": {
                            ""store_dir"": ""/tmp/nats""
                            ""max_mem"": 1000000,
                          },
                          ""port"": 4222,
                          ""server_name"": ""nats1""
                        }
                        ",
			new Item[] {
				new(ItemType.Key, "jetstream", 2, 28),
				new(ItemType.MapStart, "", 2, 41),
				new(ItemType.Key, "store_dir", 3, 30),
				new(ItemType.String, "/tmp/nats", 3, 43),
				new(ItemType.Key, "max_mem", 4, 30),
				new(ItemType.Integer, "1000000", 4, 40),
				new(ItemType.MapEnd, "", 5, 28),
				new(ItemType.Key, "port", 6, 28),
				new(ItemType.Integer, "4222", 6, 35),
				new(ItemType.Key, "server_name", 7, 28),
				new(ItemType.String, "nats1", 7, 43),
				new(ItemType.Key, "}", 8, 25),
				new(ItemType.Eof, "", 0, 0),
			}),
	})
	{
		var lx = new ConfLexer(test.input);
		Expect(lx, test.expected, test.name);
	}
    }


}
