using NatsParity.Console;

return ConsoleApp.Main(args);
