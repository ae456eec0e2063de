using System.Text;
using ServerlessBilling.Local.Commands;

// One process, several commands: `serve` (the default) and the command-line tools. LocalCli dispatches.
using var stdin = new StreamReader(Console.OpenStandardInput(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16);
return LocalCli.Run(args, stdin, stdout, Console.Error);
