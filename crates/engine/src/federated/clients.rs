//! Dividing the training split among simulated clients: IID, Dirichlet over classes, or class shards. Seeded, so
//! the same experiment gives every client the same rows anywhere.

use lethe_protocol::federated::ClientSplit;

use crate::data::rng::{Rng64, stream};
use crate::error::{EngineError, Result};

/// Fewest training rows a client may hold (one to train on and one more so that a backdoor fraction means
/// something).
pub const MIN_CLIENT_ROWS: usize = 2;

/// Positions in the training split of each client's rows, ascending within a client.
pub fn partition(
    labels: &[u32],
    n_classes: usize,
    clients: usize,
    split: &ClientSplit,
    seed: u64,
) -> Result<Vec<Vec<usize>>> {
    let n = labels.len();
    if n < clients * MIN_CLIENT_ROWS {
        return Err(EngineError::Unlearn(format!(
            "federated.clients is {clients}, but the training split has {n} rows: each client needs at least \
             {MIN_CLIENT_ROWS} (at most {} clients here)",
            n / MIN_CLIENT_ROWS
        )));
    }
    let mut rng = Rng64::new(seed, stream::CLIENTS);
    let mut parts: Vec<Vec<usize>> = vec![Vec::new(); clients];
    match split {
        ClientSplit::Iid => {
            let mut order: Vec<usize> = (0..n).collect();
            rng.shuffle(&mut order);
            for (i, p) in order.into_iter().enumerate() {
                parts[i % clients].push(p);
            }
        }
        ClientSplit::Dirichlet { alpha } => {
            for c in 0..n_classes as u32 {
                let mut members: Vec<usize> = (0..n).filter(|&i| labels[i] == c).collect();
                rng.shuffle(&mut members);
                let shares = dirichlet(*alpha, clients, &mut rng);
                // Cumulative cut points of this class's rows.
                let mut start = 0usize;
                let mut acc = 0.0;
                for (k, share) in shares.iter().enumerate() {
                    acc += share;
                    let end = if k + 1 == clients {
                        members.len()
                    } else {
                        ((acc * members.len() as f64).round() as usize).min(members.len())
                    };
                    parts[k].extend_from_slice(&members[start..end.max(start)]);
                    start = end.max(start);
                }
            }
        }
        ClientSplit::Shards { classes_per_client } => {
            let mut order: Vec<usize> = (0..n).collect();
            rng.shuffle(&mut order);
            order.sort_by_key(|&i| labels[i]); // stable: shuffled within each class
            let shards = clients * classes_per_client;
            let mut ids: Vec<usize> = (0..shards).collect();
            rng.shuffle(&mut ids);
            for (s, &shard) in ids.iter().enumerate() {
                let (lo, hi) = (shard * n / shards, (shard + 1) * n / shards);
                parts[s % clients].extend_from_slice(&order[lo..hi]);
            }
        }
    }
    // A Dirichlet draw can leave a client (nearly) empty: top it up from the largest, so every client trains.
    for k in 0..clients {
        while parts[k].len() < MIN_CLIENT_ROWS {
            let largest = (0..clients)
                .max_by_key(|&j| parts[j].len())
                .expect("there are clients");
            let p = parts[largest].pop().expect("the largest client has rows");
            parts[k].push(p);
        }
    }
    for part in &mut parts {
        part.sort_unstable();
    }
    Ok(parts)
}

/// A draw from a symmetric Dirichlet(`alpha`) over `k` parts: normalised Gamma(alpha, 1) draws (Marsaglia–Tsang,
/// with the alpha < 1 boost).
fn dirichlet(alpha: f64, k: usize, rng: &mut Rng64) -> Vec<f64> {
    let draws: Vec<f64> = (0..k).map(|_| gamma(alpha, rng)).collect();
    let sum: f64 = draws.iter().sum();
    if sum > 0.0 {
        draws.iter().map(|d| d / sum).collect()
    } else {
        vec![1.0 / k as f64; k]
    }
}

fn gamma(alpha: f64, rng: &mut Rng64) -> f64 {
    if alpha < 1.0 {
        // Gamma(a) = Gamma(a + 1) · U^(1/a).
        let u = 1.0 - rng.uniform();
        return gamma(alpha + 1.0, rng) * u.powf(1.0 / alpha);
    }
    let d = alpha - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = rng.normal();
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = 1.0 - rng.uniform();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(n: usize, k: u32) -> Vec<u32> {
        (0..n).map(|i| i as u32 % k).collect()
    }

    /* Source: closed form: every row goes to exactly one client. */
    #[test]
    fn every_split_deals_each_row_once() {
        for split in [
            ClientSplit::Iid,
            ClientSplit::Dirichlet { alpha: 0.3 },
            ClientSplit::Shards {
                classes_per_client: 2,
            },
        ] {
            let parts = partition(&labels(500, 10), 10, 7, &split, 3).unwrap();
            let mut all: Vec<usize> = parts.concat();
            all.sort_unstable();
            assert_eq!(all, (0..500).collect::<Vec<_>>(), "{split:?}");
            assert!(
                parts.iter().all(|p| p.len() >= MIN_CLIENT_ROWS),
                "{split:?}"
            );
        }
    }

    /* Source: closed form: 2 shards of 10 sorted classes per client hold at most 2 (+ a boundary) classes. */
    #[test]
    fn shards_give_each_client_few_classes() {
        let y = labels(1000, 10);
        let parts = partition(
            &y,
            10,
            5,
            &ClientSplit::Shards {
                classes_per_client: 2,
            },
            1,
        )
        .unwrap();
        for p in &parts {
            let mut classes: Vec<u32> = p.iter().map(|&i| y[i]).collect();
            classes.sort_unstable();
            classes.dedup();
            assert!(classes.len() <= 3, "{classes:?}");
        }
    }

    #[test]
    fn too_many_clients_are_refused_with_the_numbers() {
        let e = partition(&labels(10, 2), 2, 6, &ClientSplit::Iid, 1)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("federated.clients is 6")
                && e.contains("10 rows")
                && e.contains("at most 5"),
            "{e}"
        );
    }
}
