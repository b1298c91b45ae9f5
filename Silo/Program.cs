using IceFire.Silo;

return await SiloProgram.MainAsync(args);
