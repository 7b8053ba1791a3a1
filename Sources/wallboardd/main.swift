import WallboardServer

WallboardDaemonCommand.main()
