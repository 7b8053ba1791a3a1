WallboardControl.main()
