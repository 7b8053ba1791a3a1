enum WallboardServerNamespace {}
