import type { Model, ModelStatic } from 'sequelize';

const creations = new WeakMap<ModelStatic<Model>, Promise<void>>();

/**
 * Creates the model's table if it is missing (`createTable`). Every store on the same model shares
 * one creation: a second one never starts while the first runs, nor after it succeeded. A failed
 * creation is forgotten, so the next operation tries again (the database may have been down).
 */
export function createTableOnce(model: ModelStatic<Model>): Promise<void> {
  let creation = creations.get(model);
  if (!creation) {
    creation = model.sync().then(() => undefined);
    creations.set(model, creation);
    creation.catch(() => {
      if (creations.get(model) === creation) creations.delete(model);
    });
  }
  return creation;
}
